import { z } from 'zod';
import { plainLine, plainText } from '../../control-chars.js';
import { LANGUAGES } from '../../languages.js';
import { formatTimestamp } from '../../media/timeline.js';
import type { StoryMetadata } from '../../types.js';
import { type GoogleConfig, type GeminiCall, checkModel, generateJson, generateJsonAnswer, googleLimits, lazyGemini } from '../google/gemini.js';
import { researchOf } from '../google/grounding.js';
import { CLAIMS_SYSTEM, METADATA_SYSTEM, SCRIPT_SYSTEM, WORDS_PER_MINUTE, claimsPrompt, metadataPrompt, scriptPrompt } from '../google/prompts.js';
import type { Meter, ScriptDraft, TextProvider, Usage } from '../types.js';
import { MAX_CLAIMS, claimsSchema, judgeClaims } from './claims.js';

/**
 * The Gemini writer: script and metadata through structured output, validated again on arrival. The
 * script is written with Grounding with Google Search (Gemini 3 takes the tool with structured output),
 * and its sources come back with it; one more structured call lists its claims for the fact-check.
 */

/** Search queries a grounded script is expected to run, for the budget check before the call. */
export const EXPECTED_SEARCH_QUERIES = 12;

export const MIN_SCENES = 8;
export const MAX_SCENES = 20;

export const scriptSchema = z.strictObject({
  title: z.string().min(1).max(200).superRefine(plainLine('title')).describe('working title of the film'),
  hook: z.string().min(1).max(1200).superRefine(plainText('hook')).describe('the opening lines, spoken before the first scene'),
  style: z.string().min(10).max(400).describe('one archival visual style for every still, in English'),
  scenes: z
    .array(
      z.strictObject({
        title: z.string().min(1).max(80).superRefine(plainLine('scene title')).describe('short chapter title'),
        narration: z.string().min(20).max(4000).superRefine(plainText('narration')).describe('what the narrator says in this scene'),
        visual: z.string().min(10).max(600).describe('the still picture of this scene, in English'),
        search: z.string().min(3).max(100).describe('2 to 6 English words to find a real historical picture of this scene in public archives (Wikimedia Commons, Library of Congress)'),
      }),
    )
    .min(MIN_SCENES)
    .max(MAX_SCENES),
});

export const metadataSchema = z.strictObject({
  title: z.string().min(1).max(100).superRefine(plainLine('title')),
  description: z.string().min(1).max(3500).superRefine(plainText('description')),
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
  const call = (what: string, operation: string, signal: AbortSignal, meter: Meter | undefined, promptChars: number, outTokens: number, extra: Usage = {}): GeminiCall => ({
    ai: gemini.client,
    model,
    policy: google.retry,
    info: { service: 'Gemini', what, setting: { key: 'google.models.text', value: model }, credentials: gemini.credentials, notFound: gemini.notFound },
    signal,
    limit,
    meter,
    // estimate for the budget: ~4 characters a token in, the expected answer (and as much thinking) out
    metering: { provider: 'gemini', model, operation, usage: { tokensIn: Math.ceil(promptChars / 4), tokensOut: outTokens, ...extra } },
  });
  return {
    name: 'gemini',
    preview: false,
    check: (signal) => checkModel(google, gemini, model, 'google.models.text', signal),
    async writeScript({ topic, language }, signal, meter): Promise<ScriptDraft> {
      const languageName = LANGUAGES[language]?.name ?? language;
      const prompt = scriptPrompt({ topic, language, languageName, minutes: google.targetMinutes, minScenes: MIN_SCENES, maxScenes: MAX_SCENES });
      const words = google.targetMinutes * WORDS_PER_MINUTE;
      // search results come back as prompt tokens: the estimate counts a few pages of them
      const estimate = call('the script', 'script', signal, meter, prompt.length + 2000 + 40_000, Math.ceil(words * 2.5) + 2000, { searchQueries: EXPECTED_SEARCH_QUERIES });
      const answer = await generateJsonAnswer(estimate, { system: SCRIPT_SYSTEM, prompt, schema: scriptSchema, what: 'a script', tools: [{ googleSearch: {} }] });
      const s = answer.value;
      const scenes = s.scenes.map((scene, i) => ({
        title: scene.title.trim(),
        text_content: (i === 0 ? `${s.hook.trim()} ${scene.narration.trim()}` : scene.narration.trim()).replace(/\s+/g, ' '),
        image_prompt: `${scene.visual.trim()} Style: ${s.style.trim()}`,
        image_search: scene.search.trim(),
      }));
      const script = [`# ${s.title}`, s.hook, ...scenes.map((sc, i) => `## ${sc.title}\n\n${s.scenes[i].narration}\n\nImage: ${s.scenes[i].visual}`)].join('\n\n');
      const research = researchOf(answer.response, s.scenes.map((sc, i) => ({ scene: i + 1, texts: i === 0 ? [s.hook, sc.narration] : [sc.narration] })));
      return { script, scenes, source: { provider: 'gemini' }, research };
    },
    async checkClaims({ topic, scenes, research }, signal, meter) {
      const passages = research.passages.map((p, i) => ({ id: i + 1, scene: p.scene, text: p.text }));
      const prompt = claimsPrompt({ topic, scenes, passages });
      const answer = await generateJson(call('the claims of the script', 'claims', signal, meter, prompt.length + 1000, MAX_CLAIMS * 60 + 2000), {
        system: CLAIMS_SYSTEM,
        prompt,
        schema: claimsSchema,
        what: 'the list of claims',
      });
      return judgeClaims(answer.claims, research, scenes.length);
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
