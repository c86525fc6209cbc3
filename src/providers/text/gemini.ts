import { z } from 'zod';
import { LANGUAGES } from '../../languages.js';
import { formatTimestamp } from '../../media/timeline.js';
import type { StoryMetadata } from '../../types.js';
import { type GoogleConfig, type GeminiCall, checkModel, generateJson, googleLimits, lazyGemini } from '../google/gemini.js';
import { METADATA_SYSTEM, SCRIPT_SYSTEM, WORDS_PER_MINUTE, metadataPrompt, scriptPrompt } from '../google/prompts.js';
import type { Meter, ScriptDraft, TextProvider } from '../types.js';

/** The Gemini writer: script and metadata through structured output, validated again on arrival. */

export const MIN_SCENES = 8;
export const MAX_SCENES = 20;

export const scriptSchema = z.strictObject({
  title: z.string().min(1).max(200).describe('working title of the film'),
  hook: z.string().min(1).max(1200).describe('the opening lines, spoken before the first scene'),
  style: z.string().min(10).max(400).describe('one archival visual style for every still, in English'),
  scenes: z
    .array(
      z.strictObject({
        title: z.string().min(1).max(80).describe('short chapter title'),
        narration: z.string().min(20).max(4000).describe('what the narrator says in this scene'),
        visual: z.string().min(10).max(600).describe('the still picture of this scene, in English'),
        search: z.string().min(3).max(100).describe('2 to 6 English words to find a real historical picture of this scene in public archives (Wikimedia Commons, Library of Congress)'),
      }),
    )
    .min(MIN_SCENES)
    .max(MAX_SCENES),
});

export const metadataSchema = z.strictObject({
  title: z.string().min(1).max(100),
  description: z.string().min(1).max(3500),
  tags: z.array(z.string().min(1).max(40)).min(1).max(30),
  thumbnailHeadline: z.string().min(1).max(60),
});

const DESCRIPTION_MAX_BYTES = 5000;

/** Cuts text to at most `max` UTF-8 bytes, at a word boundary when there is one, never inside a character. */
function fitBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  const chars = Array.from(text);
  while (chars.length && Buffer.byteLength(chars.join('') + '…') > max) chars.pop();
  const cut = chars.join('');
  const space = cut.lastIndexOf(' ');
  return (space > cut.length * 0.6 ? cut.slice(0, space) : cut).trimEnd() + '…';
}

export function geminiWriter(google: GoogleConfig, env: NodeJS.ProcessEnv = process.env): TextProvider {
  const gemini = lazyGemini(google, env);
  const limit = googleLimits(google).text;
  const model = google.models.text;
  const call = (what: string, operation: string, signal: AbortSignal, meter: Meter | undefined, promptChars: number, outTokens: number): GeminiCall => ({
    ai: gemini.client,
    model,
    policy: google.retry,
    info: { service: 'Gemini', what, setting: { key: 'google.models.text', value: model }, credentials: gemini.credentials, notFound: gemini.notFound },
    signal,
    limit,
    meter,
    // estimate for the budget: ~4 characters a token in, the expected answer (and as much thinking) out
    metering: { provider: 'gemini', model, operation, usage: { tokensIn: Math.ceil(promptChars / 4), tokensOut: outTokens } },
  });
  return {
    name: 'gemini',
    preview: false,
    check: (signal) => checkModel(google, gemini, model, 'google.models.text', signal),
    async writeScript({ topic, language }, signal, meter): Promise<ScriptDraft> {
      const languageName = LANGUAGES[language]?.name ?? language;
      const prompt = scriptPrompt({ topic, language, languageName, minutes: google.targetMinutes, minScenes: MIN_SCENES, maxScenes: MAX_SCENES });
      const words = google.targetMinutes * WORDS_PER_MINUTE;
      const s = await generateJson(call('the script', 'script', signal, meter, prompt.length + 2000, Math.ceil(words * 2.5) + 2000), {
        system: SCRIPT_SYSTEM,
        prompt,
        schema: scriptSchema,
        what: 'a script',
      });
      const scenes = s.scenes.map((scene, i) => ({
        title: scene.title.trim(),
        text_content: (i === 0 ? `${s.hook.trim()} ${scene.narration.trim()}` : scene.narration.trim()).replace(/\s+/g, ' '),
        image_prompt: `${scene.visual.trim()} Style: ${s.style.trim()}`,
        image_search: scene.search.trim(),
      }));
      const script = [`# ${s.title}`, s.hook, ...scenes.map((sc, i) => `## ${sc.title}\n\n${s.scenes[i].narration}\n\nImage: ${s.scenes[i].visual}`)].join('\n\n');
      return { script, scenes, source: { provider: 'gemini' } };
    },
    async writeMetadata({ story, scenes, chapters }, signal, meter): Promise<StoryMetadata> {
      const chapterLines = chapters.map((c) => `${formatTimestamp(c.start)} ${c.title}`);
      const narration = scenes.map((s) => `## ${s.title ?? `Scene ${s.position}`}\n${s.text_content}`).join('\n\n');
      const prompt = metadataPrompt({ topic: story.topic, languageName: LANGUAGES[story.language]?.name ?? story.language, script: narration, chapters: chapterLines });
      const m = await generateJson(call('the title, description and tags', 'metadata', signal, meter, prompt.length + 1000, 3000), {
        system: METADATA_SYSTEM,
        prompt,
        schema: metadataSchema,
        what: 'metadata',
      });
      // the chapter list always fits whole: the model's text gives way to YouTube's 5000-byte limit
      const chapterBlock = chapterLines.length ? ['', '', 'Chapters:', ...chapterLines].join('\n') : '';
      const description = fitBytes(m.description.trim(), DESCRIPTION_MAX_BYTES - Buffer.byteLength(chapterBlock)) + chapterBlock;
      return { title: m.title.trim(), description, tags: m.tags, chapters, thumbnailHeadline: m.thumbnailHeadline.trim(), preview: false };
    },
  };
}
