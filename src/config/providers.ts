import { z } from 'zod';

/** The providers each kind of work can be given to (`providers` in the config). */
export const PROVIDER_CHOICES = {
  text: ['preview', 'gemini'],
  image: ['preview', 'gemini', 'archive'],
  speech: ['espeak', 'google'],
  publish: ['folder', 'youtube'],
} as const;

export type ImageChoice = (typeof PROVIDER_CHOICES.image)[number];
/** Image providers that find pictures rather than draw them: the next in the list is tried where they find none. */
export const FINDERS: readonly ImageChoice[] = ['archive'];

const imageChoice = z.enum(PROVIDER_CHOICES.image);

/** `providers`: who does each kind of work. */
export const providersSchema = z
  .strictObject({
    /** Script and metadata writer. `preview`: deterministic offline writer; `gemini`: Gemini (GEMINI_API_KEY). */
    text: z.enum(PROVIDER_CHOICES.text).default('preview'),
    /**
     * Scene stills, one provider or a list tried in order per scene. `preview`: archival-look stills drawn
     * locally with ffmpeg; `gemini`: Gemini image models; `archive`: real pictures from Wikimedia Commons and
     * the Library of Congress (settings in `archives`), e.g. `['archive', 'gemini']`: the generator draws
     * only the scenes the archives have nothing fitting for. Default `preview`.
     */
    image: z
      .union([imageChoice, z.array(imageChoice).min(1)])
      .default('preview')
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .check((ctx) => {
        const list = ctx.value;
        if (new Set(list).size !== list.length) ctx.issues.push({ code: 'custom', input: list, message: `names a provider twice (${list.join(', ')})` });
        const generator = list.findIndex((p) => !FINDERS.includes(p));
        if (generator >= 0 && generator < list.length - 1) {
          ctx.issues.push({ code: 'custom', input: list, message: `${list[generator]} draws every still, so ${list.slice(generator + 1).join(', ')} after it would never be tried: put it last` });
        }
      }),
    /** Narration. `espeak`: espeak-ng, sentence by sentence; `google`: Cloud Text-to-Speech (Application Default Credentials). */
    speech: z.enum(PROVIDER_CHOICES.speech).default('espeak'),
    /**
     * Where finished videos go. `folder`: `<publishDir>/<story-id>/`; `youtube`: uploaded to the channel
     * authorised with `lost-archives auth youtube` (settings in `youtube`). Default `folder`.
     */
    publish: z.enum(PROVIDER_CHOICES.publish).default('folder'),
  })
  .prefault({});
