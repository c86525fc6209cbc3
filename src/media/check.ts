import type { FfmpegJob } from './ffmpeg.js';
import type { Media } from './index.js';
import { BLACK, type RenderExpectation, SILENCE, renderProblems } from './verify.js';

/**
 * The render check's one analysis pass over the finished file: the picture decoded once through
 * blackdetect, the sound through ebur128 (loudness, true peak) and silencedetect. Nothing is written;
 * src/media/verify.ts reads what it prints (keep enough lines: one or two per stretch found).
 */
export function buildCheckJob(video: string): FfmpegJob {
  return {
    inputs: [{ path: video }],
    filter:
      `[0:v]blackdetect=d=${BLACK.seconds}:pix_th=${BLACK.pixel}:pic_th=${BLACK.picture}[v];` +
      `[0:a]ebur128=peak=true:framelog=verbose,silencedetect=n=${SILENCE.noiseDb}dB:d=${SILENCE.seconds}[a]`,
    outputOptions: ['-map', '[v]', '-map', '[a]', '-nostats', '-f', 'null'],
    output: '-',
  };
}

/** stderr lines the check keeps: enough for a stretch every second of an hour-long video */
export const CHECK_LINES = 10_000;

/** Probes the file, runs the analysis pass when it has both streams, and names every problem found. */
export async function checkRender(media: Media, file: string, want: RenderExpectation, signal: AbortSignal): Promise<string[]> {
  const probe = await media.probe(file, signal);
  const complete = ['video', 'audio'].every((t) => probe.streams.some((s) => s.codec_type === t));
  const analysis = complete ? await media.run(buildCheckJob(file), { signal, lines: CHECK_LINES }) : '';
  return renderProblems(want, probe, analysis);
}
