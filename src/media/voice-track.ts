import path from 'node:path';
import type { FfmpegJob } from './ffmpeg.js';
import type { Timeline } from './timeline.js';

/**
 * The narration track, made in chunks: each chunk is its narrations one after another, each placed at its
 * scene's narration start by padding the one before with silence to the exact sample, so a chunk is
 * linear in its length and one ffmpeg opens at most NARRATIONS_PER_CHUNK files whatever the video's
 * length (mixing every narration in one graph opens them all and pads each from the video's start). The
 * mix (src/media/soundtrack.ts) joins the chunks.
 */

export const NARRATIONS_PER_CHUNK = 16;
export const SAMPLE_RATE = 48000;
export const STEREO = `aresample=${SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo`;

export interface VoiceTrack {
  /** each writes one WAV; played one after another they are the whole track */
  chunks: FfmpegJob[];
}

export function voiceTrack(narrations: string[], timeline: Timeline, dir: string): VoiceTrack {
  const at = (seconds: number) => Math.round(seconds * SAMPLE_RATE);
  // where each narration starts, and where the track ends, in samples
  const starts = [...timeline.scenes.slice(0, narrations.length).map((s) => at(s.narrationStart)), at(timeline.total)];
  const chunks: FfmpegJob[] = [];
  for (let a = 0; a < narrations.length; a += NARRATIONS_PER_CHUNK) {
    const b = Math.min(narrations.length, a + NARRATIONS_PER_CHUNK);
    const chains: string[] = [];
    const labels: string[] = [];
    if (a === 0 && starts[0] > 0) {
      chains.push(`anullsrc=channel_layout=stereo:sample_rate=${SAMPLE_RATE},atrim=end_sample=${starts[0]},aformat=sample_fmts=fltp[lead]`);
      labels.push('[lead]');
    }
    for (let i = a; i < b; i++) {
      const slot = starts[i + 1] - starts[i];
      chains.push(`[${i - a}:a]${STEREO},apad=whole_len=${slot},atrim=end_sample=${slot}[v${i}]`);
      labels.push(`[v${i}]`);
    }
    chains.push(`${labels.join('')}concat=n=${labels.length}:v=0:a=1[out]`);
    chunks.push({
      inputs: narrations.slice(a, b).map((p) => ({ path: p })),
      filter: chains.join(';'),
      outputOptions: ['-map', '[out]', '-c:a', 'pcm_s16le', '-ar', String(SAMPLE_RATE)],
      output: path.join(dir, `voice-${chunks.length}.wav`),
    });
  }
  if (!chunks.length) {
    // no narration: the whole video's length of silence
    chunks.push({
      inputs: [],
      filter: `anullsrc=channel_layout=stereo:sample_rate=${SAMPLE_RATE},atrim=end_sample=${Math.max(1, starts[0])}[out]`,
      outputOptions: ['-map', '[out]', '-c:a', 'pcm_s16le', '-ar', String(SAMPLE_RATE)],
      output: path.join(dir, 'voice-0.wav'),
    });
  }
  return { chunks };
}
