import { z } from 'zod';
import { type GoogleConfig, generateJson, googleLimits, lazyGemini } from '../../google/gemini.js';
import { PICTURE_CHOICE_SYSTEM, pictureChoicePrompt } from '../../google/prompts.js';
import type { Meter } from '../../types.js';

/** Picks the candidate that fits the scene, or none (null): one call with every thumbnail. */
export type Chooser = (
  req: { narration: string; visual: string; scene: number; candidates: { title: string; description: string; source: string; thumb: { mimeType: string; data: Buffer } }[] },
  signal: AbortSignal,
  meter?: Meter,
) => Promise<number | null>;

/** Tokens Gemini counts for one small picture (a thumbnail of at most 384 px a side). */
const TOKENS_PER_PICTURE = 258;

/** The Gemini text model as the chooser (`google.models.text`). */
export function geminiChooser(google: GoogleConfig, env: NodeJS.ProcessEnv = process.env): Chooser {
  const gemini = lazyGemini(google, env);
  const limit = googleLimits(google).text;
  const model = google.models.text;
  return async (req, signal, meter) => {
    const prompt = pictureChoicePrompt({ narration: req.narration, visual: req.visual, candidates: req.candidates.map((c) => ({ title: c.title, description: c.description, source: c.source })) });
    const schema = z.strictObject({ choice: z.number().int().min(0).max(req.candidates.length), reason: z.string().max(400) });
    const answer = await generateJson(
      {
        ai: gemini.client,
        model,
        policy: google.retry,
        info: { service: 'Gemini', what: `the picture of scene ${req.scene}`, setting: { key: 'google.models.text', value: model }, credentials: gemini.credentials, notFound: gemini.notFound },
        signal,
        limit,
        meter,
        metering: { provider: 'gemini', model, operation: 'picture choice', scene: req.scene, usage: { tokensIn: Math.ceil(prompt.length / 4) + TOKENS_PER_PICTURE * req.candidates.length, tokensOut: 600 } },
      },
      { system: PICTURE_CHOICE_SYSTEM, prompt, schema, what: 'a picture choice', images: req.candidates.map((c) => c.thumb) },
    );
    return answer.choice === 0 ? null : answer.choice - 1;
  };
}
