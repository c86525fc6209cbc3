import fs from 'node:fs';
import path from 'node:path';
import type { FfmpegJob, RunOptions } from './ffmpeg.js';
import type { Timeline } from './timeline.js';
import { STEREO, type VoiceTrack, voiceTrack } from './voice-track.js';

/**
 * The soundtrack, as data: narrations placed on the timeline over a ducked music bed, measured (EBU R128),
 * brought to -14 LUFS and encoded as AAC-LC 48 kHz stereo. src/media/render.ts plans it beside the picture.
 */

export const TARGET_LUFS = -14;
/** the true peak the encoded file must stay at or under, dBTP */
export const TARGET_TP = -1.5;
/** YouTube's recommended bitrate for stereo AAC */
export const DEFAULT_AUDIO_KBPS = 384;

/**
 * What the limiter holds the peaks to before AAC: encoding adds inter-sample overs, measured on espeak
 * narration over the music bed at about 0.1 dB at 384 kbps and 0.6 dB at 128 kbps.
 */
export function ceilingFor(kbps: number): number {
  return TARGET_TP - (kbps >= 256 ? 0.5 : 1);
}

const n = (x: number) => Number(x.toFixed(3)).toString();

export interface MixSpec {
  narrations: string[];
  timeline: Timeline;
  /** a music track to loop under the narration, or null */
  music: string | null;
  output: string;
}

/** The narration track (its chunks joined) over the music bed, ducked under the voice. */
export function buildMixJob(spec: MixSpec, voices: VoiceTrack): FfmpegJob {
  const { timeline } = spec;
  const total = n(timeline.total);
  const pad = `apad=whole_dur=${total},atrim=0:${total}`;
  const k = voices.chunks.length;
  const joined = k > 1 ? `${voices.chunks.map((_, i) => `[${i}:a]`).join('')}concat=n=${k}:v=0:a=1,` : '[0:a]';
  const chains = [`${joined}${STEREO},${pad}${spec.music ? ',asplit=2[voice][key]' : '[out]'}`];
  if (spec.music) {
    chains.push(
      `[${k}:a]${STEREO},atrim=0:${total},volume=0.35,` +
        `afade=t=in:d=2,afade=t=out:st=${n(Math.max(0, timeline.total - 3))}:d=3[bed]`,
    );
    chains.push('[bed][key]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=450[ducked]');
    chains.push(`[voice][ducked]amix=inputs=2:normalize=0,${pad}[out]`);
  }
  return {
    inputs: [...voices.chunks.map((c) => ({ path: c.output })), ...(spec.music ? [{ path: spec.music, options: ['-stream_loop', '-1'] }] : [])],
    filter: chains.join(';'),
    outputOptions: ['-map', '[out]', '-c:a', 'pcm_s16le', '-ar', '48000'],
    output: spec.output,
  };
}

/**
 * Loudness (integrated and true peak) of an audio file after `filter`, in one pass that writes nothing.
 * ebur128 measures in a fraction of the time loudnorm takes; its per-frame lines stay at verbose level.
 */
export function buildMeasureJob(audio: string, filter = 'anull'): FfmpegJob {
  return {
    inputs: [{ path: audio }],
    filter: `[0:a]${filter},ebur128=peak=true:framelog=verbose[out]`,
    outputOptions: ['-map', '[out]', '-f', 'null'],
    output: '-',
  };
}

export interface Loudness {
  /** integrated loudness, LUFS */
  integrated: number;
  /** true peak, dBTP */
  truePeak: number;
}

/** Reads the summary ebur128 prints at the end of ffmpeg's stderr (ffmpeg 5 prints an empty one first). */
export function parseLoudness(stderr: string): Loudness {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const integrated = /Integrated loudness:\s+I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary);
  const peak = /True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary);
  if (!integrated || !peak) throw new Error('ffmpeg printed no loudness measurement');
  const num = (v: string) => (v === '-inf' ? -Infinity : Number(v));
  return { integrated: num(integrated[1]), truePeak: num(peak[1]) };
}

/**
 * The level change as one gain to TARGET_LUFS (plus `makeup`, what a limiter took off), and a limiter
 * holding the peaks at `ceiling` dBTP when the gain would push them over. The limiter runs at 192 kHz so
 * that it sees the peaks between samples too (true peak, as EBU R128 measures it), with its lookahead
 * compensated so the voice stays on the picture's frame. Near-silence (below -60 LUFS) is left as it is.
 */
export function normaliseFilter(l: Loudness, ceiling: number, makeup = 0): string {
  if (!Number.isFinite(l.integrated) || l.integrated < -60) return 'anull';
  const gain = TARGET_LUFS - l.integrated + makeup;
  const volume = `volume=${n(gain)}dB`;
  if (l.truePeak + gain <= ceiling) return volume;
  return `${volume},aresample=192000,alimiter=limit=${n(10 ** (ceiling / 20))}:attack=5:release=50:level=false:latency=1,aresample=48000`;
}

/** The soundtrack's encoder options: AAC-LC, 48 kHz stereo. */
export const audioEncoding = (kbps: number) => ['-c:a', 'aac', '-profile:a', 'aac_low', '-b:a', `${kbps}k`, '-ar', '48000', '-ac', '2'];

export interface SoundtrackPlan {
  /** the narration track, chunk by chunk */
  voices: VoiceTrack;
  mix: FfmpegJob;
  /** the mix's loudness after a level change */
  measure: (filter: string) => FfmpegJob;
  encode: (filter: string) => FfmpegJob;
  ceiling: number;
}

export function planSoundtrack(spec: MixSpec & { kbps: number; seconds: string; encoded: string }): SoundtrackPlan {
  const mixed = spec.output;
  const voices = voiceTrack(spec.narrations, spec.timeline, path.dirname(mixed));
  return {
    voices,
    mix: buildMixJob(spec, voices),
    measure: (filter) => buildMeasureJob(mixed, filter),
    encode: (filter) => ({
      inputs: [{ path: mixed }],
      filter: `[0:a]${filter},${STEREO}[aout]`,
      outputOptions: ['-map', '[aout]', ...audioEncoding(spec.kbps), '-t', spec.seconds],
      output: spec.encoded,
    }),
    ceiling: ceilingFor(spec.kbps),
  };
}

/**
 * Narration chunks, mix, measure, level, encode. Limiting lowers the loudness of peaky speech (espeak: 0.3 to 0.7 LU), so
 * when the limiter is needed its result is measured once more and the difference made up before encoding.
 */
export async function runSoundtrack(plan: SoundtrackPlan, run: (job: FfmpegJob, opts: RunOptions) => Promise<string>, signal: AbortSignal): Promise<void> {
  for (const chunk of plan.voices.chunks) await run(chunk, { signal });
  await run(plan.mix, { signal });
  await Promise.all(plan.voices.chunks.map((c) => fs.promises.rm(c.output, { force: true })));
  const measured = parseLoudness(await run(plan.measure('anull'), { signal }));
  let filter = normaliseFilter(measured, plan.ceiling);
  if (filter.includes('alimiter')) {
    const limited = parseLoudness(await run(plan.measure(filter), { signal }));
    const makeup = Math.min(3, Math.max(0, TARGET_LUFS - limited.integrated));
    filter = normaliseFilter(measured, plan.ceiling, makeup);
  }
  await run(plan.encode(filter), { signal });
}
