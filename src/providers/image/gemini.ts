import fs from 'node:fs';
import { PermanentError } from '../../errors.js';
import { runFfmpeg } from '../../media/ffmpeg.js';
import { type GeminiCall, type GoogleConfig, checkModel, generate, googleLimits, lazyGemini, refusalOf } from '../google/gemini.js';
import { SAFE_REWRITE_SYSTEM, safeRewritePrompt, stillPrompt } from '../google/prompts.js';
import type { ImageProvider, Meter, StillOutcome, StillRequest } from '../types.js';

/**
 * Stills from a Gemini image model (generateContent with image output), fitted to the frame the render
 * expects. A refused prompt is rewritten once in a safer form by the text model and tried again; a
 * second refusal fails that scene, naming both reasons.
 *
 * The model call sits behind `StillModel`, so an Imagen-on-Vertex variant (generateImages) can be
 * added beside `geminiStillModel` without touching the rest (not built: Imagen 4 was shut down on the
 * Gemini API on 2026-08-17).
 */

export type StillResult = { image: Buffer; mimeType: string } | { refused: string };

export interface StillModel {
  readonly model: string;
  generate(prompt: string, aspectRatio: string, scene: number, signal: AbortSignal, meter?: Meter): Promise<StillResult>;
}

/** The supported aspect ratio nearest to the frame's. */
export function aspectRatioFor(width: number, height: number): string {
  const ratios = ['16:9', '9:16', '4:3', '3:4', '1:1', '3:2', '2:3', '21:9'];
  const target = width / height;
  const value = (r: string) => {
    const [a, b] = r.split(':').map(Number);
    return a / b;
  };
  return ratios.reduce((best, r) => (Math.abs(Math.log(value(r) / target)) < Math.abs(Math.log(value(best) / target)) ? r : best));
}

function geminiCall(google: GoogleConfig, gemini: ReturnType<typeof lazyGemini>, limit: GeminiCall['limit'], model: string, key: string, what: string, signal: AbortSignal, meter: Meter | undefined, metering: GeminiCall['metering']): GeminiCall {
  return {
    ai: gemini.client,
    model,
    policy: google.retry,
    info: { service: 'Gemini', what, setting: { key, value: model }, credentials: gemini.credentials, notFound: gemini.notFound },
    signal,
    limit,
    meter,
    metering,
  };
}

export function geminiStillModel(google: GoogleConfig, gemini: ReturnType<typeof lazyGemini>): StillModel {
  const limit = googleLimits(google).image;
  const model = google.models.image;
  return {
    model,
    async generate(prompt, aspectRatio, scene, signal, meter) {
      const call = geminiCall(google, gemini, limit, model, 'google.models.image', `the still of scene ${scene}`, signal, meter, {
        provider: 'gemini',
        model,
        operation: 'still',
        scene,
        // (the model thinks before it draws: its thinking, billed as output, is estimated generously)
        usage: { tokensIn: Math.ceil(prompt.length / 4), tokensOut: 2000, images: 1 },
      });
      const r = await generate(call, [{ role: 'user', parts: [{ text: stillPrompt(prompt, aspectRatio) }] }], {
        responseModalities: ['IMAGE'],
        imageConfig: { aspectRatio },
      });
      const refused = refusalOf(r);
      if (refused) return { refused };
      const parts = r.candidates?.[0]?.content?.parts ?? [];
      const image = parts.find((p) => p.inlineData?.data && p.inlineData.mimeType?.startsWith('image/'));
      if (!image?.inlineData?.data) {
        const said = parts.map((p) => p.text ?? '').join(' ').trim();
        return { refused: `no image in the answer (${r.candidates?.[0]?.finishReason ?? 'no finish reason'}${said ? `: "${said.slice(0, 160)}"` : ''})` };
      }
      return { image: Buffer.from(image.inlineData.data, 'base64'), mimeType: image.inlineData.mimeType! };
    },
  };
}

/** Scales and crops any picture to exactly width x height, as PNG (what the render reads). */
async function fitStill(source: string, width: number, height: number, out: string, signal: AbortSignal): Promise<void> {
  await runFfmpeg(
    {
      inputs: [{ path: source }],
      filter: `[0:v]scale=${width}:${height}:force_original_aspect_ratio=increase:flags=lanczos,crop=${width}:${height},setsar=1,format=rgb24[out]`,
      outputOptions: ['-map', '[out]', '-frames:v', '1', '-update', '1'],
      output: out,
    },
    { signal },
  );
}

export function geminiIllustrator(google: GoogleConfig, env: NodeJS.ProcessEnv = process.env, stills?: StillModel): ImageProvider {
  const gemini = lazyGemini(google, env);
  const model = stills ?? geminiStillModel(google, gemini);
  const rewriteLimit = googleLimits(google).text;
  const rewrite = async (prompt: string, reason: string, scene: number, signal: AbortSignal, meter?: Meter): Promise<string> => {
    const text = safeRewritePrompt(prompt, reason);
    const call = geminiCall(google, gemini, rewriteLimit, google.models.text, 'google.models.text', `the safer prompt of scene ${scene}`, signal, meter, {
      provider: 'gemini',
      model: google.models.text,
      operation: 'safety rewrite',
      scene,
      usage: { tokensIn: Math.ceil(text.length / 4) + 100, tokensOut: 1500 },
    });
    const r = await generate(call, [{ role: 'user', parts: [{ text }] }], { systemInstruction: SAFE_REWRITE_SYSTEM });
    const safer = refusalOf(r) ? '' : (r.text ?? '').trim();
    if (!safer) throw new PermanentError(`scene ${scene}: the image model refused its prompt (${reason}) and no safer prompt could be written; change the scene's image prompt or the topic`);
    return safer;
  };
  return {
    name: 'gemini',
    check: (signal) => checkModel(google, gemini, model.model, 'google.models.image', signal),
    async drawStill(req: StillRequest, signal, meter): Promise<StillOutcome> {
      const aspect = aspectRatioFor(req.width, req.height);
      let result = await model.generate(req.prompt, aspect, req.position, signal, meter);
      if ('refused' in result) {
        const first = result.refused;
        const safer = await rewrite(req.prompt, first, req.position, signal, meter);
        result = await model.generate(safer, aspect, req.position, signal, meter);
        if ('refused' in result) {
          throw new PermanentError(
            `scene ${req.position}: ${model.model} refused the image prompt (${first}) and again after a safer rewrite (${result.refused}). ` +
              'Change what the scene shows (a script of your own with `--script`, or `retry ID --from generate_script`)',
          );
        }
      }
      const ext = result.mimeType.split('/')[1]?.replace('jpeg', 'jpg') ?? 'img';
      const source = `${req.out}.source.${ext}`;
      await fs.promises.writeFile(source, result.image);
      try {
        await fitStill(source, req.width, req.height, req.out, signal);
      } finally {
        await fs.promises.rm(source, { force: true });
      }
      return { kind: 'drawn' };
    },
  };
}
