import { z } from 'zod';

/** The providers each kind of work can be given to (`providers` in the config). */
export const PROVIDER_CHOICES = {
  text: ['preview', 'gemini'],
  image: ['preview', 'gemini'],
  speech: ['espeak', 'google'],
  publish: ['folder', 'youtube'],
} as const;

/** `providers`: who does each kind of work. */
export const providersSchema = z
  .strictObject({
    /** Script and metadata writer. `preview`: deterministic offline writer; `gemini`: Gemini (GEMINI_API_KEY). */
    text: z.enum(PROVIDER_CHOICES.text).default('preview'),
    /** Scene stills. `preview`: archival-look stills drawn locally with ffmpeg; `gemini`: Gemini image models. */
    image: z.enum(PROVIDER_CHOICES.image).default('preview'),
    /** Narration. `espeak`: espeak-ng, sentence by sentence; `google`: Cloud Text-to-Speech (Application Default Credentials). */
    speech: z.enum(PROVIDER_CHOICES.speech).default('espeak'),
    /**
     * Where finished videos go. `folder`: `<publishDir>/<story-id>/`; `youtube`: uploaded to the channel
     * authorised with `lost-archives auth youtube` (settings in `youtube`). Default `folder`.
     */
    publish: z.enum(PROVIDER_CHOICES.publish).default('folder'),
  })
  .prefault({});
