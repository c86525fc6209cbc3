import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/languages.js';
import { cardText } from '../../src/media/cards.js';
import { previewWriter } from '../../src/providers/text/preview.js';
import { cardWords, previewTexts } from '../../src/providers/text/preview-texts.js';
import type { Story } from '../../src/types.js';

/** The offline writer writes in the story's language, and espeak-ng's voice for that language can read it. */

const signal = new AbortController().signal;
// Arabic is prepared for when the language is accepted
const VOICES: Record<string, string> = { ...Object.fromEntries(Object.entries(LANGUAGES).map(([code, l]) => [code, l.espeakVoice])), 'ar-SA': 'ar' };

/** Most of the script's letters are in the language's own writing system... */
const SCRIPTS: Record<string, RegExp> = {
  hi: /\p{Script=Devanagari}/u,
  ja: /[\p{Script=Hiragana}\p{Script=Katakana}ー]/u,
  zh: /\p{Script=Han}/u,
  ru: /\p{Script=Cyrillic}/u,
  el: /\p{Script=Greek}/u,
  ar: /\p{Script=Arabic}/u,
};
/** ...or, in the Latin alphabet, the language's own everyday words are there. */
const WORDS: Record<string, string[]> = {
  en: ['the', 'and', 'every'],
  es: ['las', 'que', 'historia', 'nunca'],
  fr: ['les', 'est', 'histoire', 'jamais'],
  de: ['und', 'die', 'Geschichte', 'nie'],
  it: ['che', 'questa', 'storia', 'mai'],
  pt: ['que', 'desta', 'história', 'nunca'],
  nl: ['het', 'verhaal', 'nooit', 'een'],
  pl: ['się', 'historii', 'nigdy', 'którzy'],
  tr: ['bir', 've', 'hikâye', 'asla'],
};

describe('the offline writer', () => {
  for (const [language, voice] of Object.entries(VOICES)) {
    const base = language.split('-')[0];
    it(`writes the script, metadata and cards in ${language}, and espeak-ng (${voice}) reads the script`, async () => {
      const texts = previewTexts(language);
      const topic = texts.brand;
      const draft = await previewWriter().writeScript({ topic, language }, signal);
      expect(draft.scenes.length).toBeGreaterThanOrEqual(6);
      const narration = draft.scenes.map((s) => s.text_content).join(' ');
      if (SCRIPTS[base]) {
        const letters = [...narration].filter((c) => /\p{L}/u.test(c));
        expect(letters.filter((c) => SCRIPTS[base].test(c)).length / letters.length).toBeGreaterThan(0.9);
      } else {
        const words = new Set(narration.toLowerCase().split(/[^\p{L}]+/u));
        for (const w of WORDS[base]) expect(words, `${language}: "${w}"`).toContain(w.toLowerCase());
      }
      if (base !== 'en') expect(narration).not.toContain('preview script');

      // the voice speaks it: no stretch read as letters of another language, at a speaking pace
      const phonemes = execFileSync('espeak-ng', ['-v', voice, '-x', '-q', narration], { encoding: 'utf8' });
      expect((phonemes.match(/\(en\)/g) ?? []).length, phonemes).toBeLessThanOrEqual(4);
      const wav = execFileSync('espeak-ng', ['-v', voice, '--stdout', narration], { maxBuffer: 1 << 28 });
      const perSecond = [...narration].length / ((wav.length - 44) / 2 / 22050);
      const [slowest, fastest] = base === 'ja' || base === 'zh' ? [3, 12] : [10, 25];
      expect(perSecond).toBeGreaterThan(slowest);
      expect(perSecond).toBeLessThan(fastest);

      // metadata and cards carry the same language's words
      const story = { topic, language, script_source: { provider: 'preview' } } as unknown as Story;
      const meta = await previewWriter().writeMetadata({ story, scenes: [], chapters: [{ start: 0, title: draft.scenes[0].title }] } as never, signal);
      expect(meta.title).toContain(`(${texts.preview})`);
      expect(meta.description).toContain(texts.previewDescription);
      expect(meta.description).toContain(draft.scenes[0].title);
      expect(meta.tags).toEqual(expect.arrayContaining(texts.tags));
      const cards = cardText(topic, texts.previewScriptNote, cardWords(language));
      expect(cards.intro.map((l) => l.text)).toEqual([texts.brand.toLocaleUpperCase(language), topic, texts.preview.toLocaleUpperCase(language)]);
      expect(cards.outro.map((l) => l.text)).toEqual([texts.brand, texts.previewScriptNote]);
    });
  }

  it('refuses a language it has no words for, naming the fix', async () => {
    await expect(previewWriter().writeScript({ topic: 'x', language: 'ko-KR' }, signal)).rejects.toThrow(/--script.*Gemini/);
  });
});
