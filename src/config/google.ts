import { z } from 'zod';
import { retryPolicySchema } from './retry.js';
import { speakingRateRange } from '../providers/speech/voices.js';

/** USD prices of one model or voice type; a call is priced by what it used. */
const priceSchema = z.strictObject({
  /** per million input (prompt) tokens */
  inputPerMillionTokens: z.number().min(0).optional(),
  /** per million output tokens (thinking tokens count as output) */
  outputPerMillionTokens: z.number().min(0).optional(),
  /** per generated image */
  perImage: z.number().min(0).optional(),
  /** per million characters synthesised */
  perMillionCharacters: z.number().min(0).optional(),
  /** per Google Search query a grounded request ran (Gemini 3 bills grounding per query) */
  perSearchQuery: z.number().min(0).optional(),
});
export type Price = z.output<typeof priceSchema>;

export const googleSchema = z.strictObject({
  models: z
    .strictObject({
      /**
       * Gemini model that writes scripts and metadata. Default `gemini-3.8-flash` (the newest GA Flash model
       * in November 2026; Google retires ids often). On Vertex AI current models are served from the `global`
       * location only, which is used unless GOOGLE_CLOUD_LOCATION names another (a region answers 404).
       */
      text: z.string().min(1).default('gemini-3.8-flash'),
      /** Gemini image model (generateContent with image output). Default `gemini-3.1-flash-image`; `gemini-3-pro-image` for the top tier. */
      image: z.string().min(1).default('gemini-3.1-flash-image'),
    })
    .prefault({}),
  /**
   * Cloud TTS voice per story language, e.g. `{ 'en-US': 'en-US-Chirp3-HD-Kore' }`; merged over the
   * built-in defaults (Neural2 or WaveNet voices). The voice name's prefix is the language code sent.
   */
  voices: z.record(z.string(), z.string().regex(/^[a-z]{2,3}-[A-Z]{2}-/, 'a Cloud TTS voice name such as en-US-Neural2-D')).default({}),
  /** Speaking rate, 0.25 to 4 (Chirp 3 HD voices: 0.25 to 2). Default 1. */
  speakingRate: z.number().min(0.25).max(4).default(1),
  /** What Cloud TTS returns: `LINEAR16` (WAV, exact lengths) or `MP3` (decoded to WAV locally). Default `LINEAR16`. */
  audioEncoding: z.enum(['LINEAR16', 'MP3']).default('LINEAR16'),
  /** Silence between sentences when they are synthesised one by one (Chirp 3 HD voices), seconds. Default 0.3. */
  sentencePauseSeconds: z.number().min(0).max(3).default(0.3),
  endpoints: z
    .strictObject({
      /** Gemini API base URL (proxies, tests). Default `https://generativelanguage.googleapis.com`. */
      gemini: z.url().optional(),
      /** Cloud TTS endpoint URL (regional endpoints, proxies, tests). Default `https://texttospeech.googleapis.com`. */
      tts: z.url().optional(),
    })
    .prefault({}),
  /** Calls in flight at once per provider, in this process. Defaults text 2, image 4, speech 4. */
  concurrency: z
    .strictObject({
      text: z.number().int().min(1).max(64).default(2),
      image: z.number().int().min(1).max(64).default(4),
      speech: z.number().int().min(1).max(64).default(4),
    })
    .prefault({}),
  /** Retries of one call after 429/5xx (backoff with jitter, honouring Retry-After), before the job goes back to the queue. */
  retry: retryPolicySchema,
  /** Length the script is written for, in minutes of narration. Default 8. */
  targetMinutes: z.number().min(1).max(60).default(8),
  /**
   * USD prices by model id or TTS voice type (`Neural2`, `Wavenet`, `Chirp3-HD`, `Standard`, `Studio`),
   * merged over the built-in table (see README for its date).
   */
  prices: z.record(z.string(), priceSchema).default({}),
}).superRefine((g, ctx) => {
  // a rate the chosen voice refuses would fail every narration: say so before anything is queued
  for (const [language, voice] of Object.entries(g.voices)) {
    const r = speakingRateRange(voice);
    if (g.speakingRate < r.min || g.speakingRate > r.max) {
      ctx.addIssue({
        code: 'custom',
        path: ['speakingRate'],
        message: `is ${g.speakingRate}, but ${r.family} voices accept ${r.min} to ${r.max} (google.voices['${language}'] is ${voice}): set google.speakingRate within that range or choose another voice`,
      });
    }
  }
});