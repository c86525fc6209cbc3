import type { FfmpegJob } from './ffmpeg.js';
import { FONT_SERIF_BOLD } from './fonts.js';
import { escapeFilterValue } from './subtitles.js';
import type { Timeline } from './timeline.js';

/**
 * The render, as data (pure builders; src/stages/render.ts runs them):
 * 1. the soundtrack: each narration placed at its scene's narration start, over a music bed that is
 *    ducked (side-chain compressed) under the voice;
 * 2. the picture: every part (title card, stills, end card) decoded and enlarged once, repeated in
 *    memory, with a slow pan (a moving crop: no per-frame scaling); only the half-second overlaps go
 *    through xfade, the rest is concatenated; subtitles burned in; the soundtrack normalised to
 *    -14 LUFS with the loudness measured beforehand.
 */

export const TARGET_LUFS = -14;
export const TARGET_TP = -1.5;
export const TARGET_LRA = 11;

const n = (x: number) => Number(x.toFixed(3)).toString();

export interface MixSpec {
  narrations: string[];
  timeline: Timeline;
  /** a music track to loop under the narration, or null */
  music: string | null;
  output: string;
}

export function buildMixJob(spec: MixSpec): FfmpegJob {
  const { timeline } = spec;
  const total = n(timeline.total);
  const chains: string[] = [];
  spec.narrations.forEach((_, i) => {
    const ms = Math.round(timeline.scenes[i].narrationStart * 1000);
    chains.push(`[${i}:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,adelay=delays=${ms}:all=1[n${i}]`);
  });
  const voices = spec.narrations.map((_, i) => `[n${i}]`).join('');
  const pad = `apad=whole_dur=${total},atrim=0:${total}`;
  if (!spec.music) {
    chains.push(`${voices}amix=inputs=${spec.narrations.length}:normalize=0,${pad}[out]`);
  } else {
    const m = spec.narrations.length;
    chains.push(`${voices}amix=inputs=${m}:normalize=0,${pad},asplit=2[voice][key]`);
    chains.push(
      `[${m}:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=0:${total},volume=0.35,` +
        `afade=t=in:d=2,afade=t=out:st=${n(Math.max(0, timeline.total - 3))}:d=3[bed]`,
    );
    chains.push('[bed][key]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=450[ducked]');
    chains.push(`[voice][ducked]amix=inputs=2:normalize=0,${pad}[out]`);
  }
  return {
    inputs: [
      ...spec.narrations.map((path) => ({ path })),
      ...(spec.music ? [{ path: spec.music, options: ['-stream_loop', '-1'] }] : []),
    ],
    filter: chains.join(';'),
    outputOptions: ['-map', '[out]', '-c:a', 'pcm_s16le', '-ar', '48000'],
    output: spec.output,
  };
}

/** First pass of loudness normalisation: measure (output to nowhere). */
export function buildMeasureJob(audio: string): FfmpegJob {
  return {
    inputs: [{ path: audio }],
    filter: `[0:a]loudnorm=I=${TARGET_LUFS}:TP=${TARGET_TP}:LRA=${TARGET_LRA}:print_format=json[out]`,
    outputOptions: ['-map', '[out]', '-f', 'null'],
    output: '-',
  };
}

export interface Loudness {
  input_i: string;
  input_tp: string;
  input_lra: string;
  input_thresh: string;
  target_offset: string;
}

/** Reads loudnorm's JSON block from ffmpeg's stderr. */
export function parseLoudness(stderr: string): Loudness {
  const m = /\{[^{}]*"input_i"[^{}]*\}/.exec(stderr);
  if (!m) throw new Error('ffmpeg printed no loudness measurement');
  return JSON.parse(m[0]) as Loudness;
}

export interface RenderSpec {
  /** one picture per timeline segment: title card, stills, end card */
  pictures: string[];
  /** the soundtrack from buildMixJob */
  soundtrack: string;
  loudness: Loudness | null;
  timeline: Timeline;
  width: number;
  height: number;
  /** ASS file to burn in, or null */
  subtitles: string | null;
  preset: string;
  output: string;
}

export function buildRenderJob(spec: RenderSpec): FfmpegJob {
  const { timeline, width: w, height: h } = spec;
  const fps = timeline.fps;
  const parts = timeline.segments;
  if (parts.length === 0 || parts.length !== spec.pictures.length) throw new Error('render needs one picture per part of the timeline');
  const zoom = 1.12;
  const bw = Math.ceil((w * zoom) / 2) * 2;
  const bh = Math.ceil((h * zoom) / 2) * 2;
  const tf = Math.round(timeline.transition * fps);
  const chains: string[] = [];
  const pieces: string[] = [];
  // Each part is cut into head | body | tail. Bodies are repeated frames with a moving crop and go
  // straight to concat; only the short tail + head pairs pass through xfade, which is costly per frame.
  // Every piece keeps its place in the part's own clock (t), so the pan runs on without a jump. The crop
  // works on 4:4:4 so the pan moves in 1-pixel steps (4:2:0 would step by 2 pixels and judder).
  parts.forEach((seg, i) => {
    const frames = Math.round(seg.length * fps);
    const p = `(t/${n(seg.length)})`;
    // scenes alternate the direction of their move; cards hold still, centred
    const dir = seg.kind === 'scene' ? i % 4 : -1;
    const x = dir < 0 ? '(iw-ow)/2' : dir === 0 || dir === 3 ? `(iw-ow)*${p}` : `(iw-ow)*(1-${p})`;
    const y = dir < 0 ? '(ih-oh)/2' : dir < 2 ? `(ih-oh)*${p}` : `(ih-oh)*(1-${p})`;
    const head = i > 0 && tf > 0 ? tf : 0;
    const tail = i < parts.length - 1 && tf > 0 ? tf : 0;
    const cuts: [string, number, number][] = [];
    if (head) cuts.push([`h${i}`, 0, head]);
    cuts.push([`b${i}`, head, frames - head - tail]);
    if (tail) cuts.push([`t${i}`, frames - tail, tail]);
    // the picture is decoded, enlarged and converted once; split only passes references to that frame
    chains.push(
      `[${i}:v]scale=${bw}:${bh}:force_original_aspect_ratio=increase,crop=${bw}:${bh},format=yuv444p,setsar=1,settb=1/${fps}` +
        (cuts.length > 1 ? `,split=${cuts.length}${cuts.map(([label]) => `[${label}s]`).join('')}` : `[${cuts[0][0]}s]`),
    );
    for (const [label, from, count] of cuts) {
      chains.push(
        `[${label}s]loop=loop=${count - 1}:size=1:start=0,setpts=(N+${from})/(${fps}*TB),` +
          `crop=${w}:${h}:x='${x}':y='${y}',setpts=PTS-STARTPTS[${label}]`,
      );
    }
  });
  for (let i = 0; i < parts.length; i++) {
    pieces.push(`[b${i}]`);
    if (i < parts.length - 1) {
      if (tf > 0) {
        chains.push(`[t${i}][h${i + 1}]xfade=transition=fade:duration=${n(tf / fps)}:offset=0[x${i}]`);
        pieces.push(`[x${i}]`);
      }
    }
  }
  // timestamps in whole frames (images arrive in 1/25 s ticks), then one conversion to 4:2:0 for the whole stream (per piece, each would keep its own frame pool)
  chains.push(`${pieces.join('')}concat=n=${pieces.length}:v=1:a=0,settb=1/${fps},setpts=N/(${fps}*TB),format=yuv420p[joined]`);
  const last = 'joined';
  const burn = spec.subtitles ? `ass=filename=${escapeFilterValue(spec.subtitles)},` : '';
  chains.push(`[${last}]${burn}format=yuv420p[vout]`);
  const l = spec.loudness;
  const norm = l
    ? `loudnorm=I=${TARGET_LUFS}:TP=${TARGET_TP}:LRA=${TARGET_LRA}:measured_I=${l.input_i}:measured_TP=${l.input_tp}:` +
      `measured_LRA=${l.input_lra}:measured_thresh=${l.input_thresh}:offset=${l.target_offset}:linear=true`
    : `loudnorm=I=${TARGET_LUFS}:TP=${TARGET_TP}:LRA=${TARGET_LRA}`;
  chains.push(`[${parts.length}:a]${norm},aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[aout]`);

  return {
    // one decoding thread per picture: each decoder's frame threads would hold buffers for a single image
    inputs: [...spec.pictures.map((path) => ({ path, options: ['-threads', '1'] })), { path: spec.soundtrack }],
    filter: chains.join(';'),
    outputOptions: [
      '-map', '[vout]', '-map', '[aout]',
      '-c:v', 'libx264', '-profile:v', 'high', '-preset', spec.preset, '-crf', '21', '-pix_fmt', 'yuv420p', '-r', String(fps),
      '-c:a', 'aac', '-b:a', '192k', '-ar', '48000',
      '-t', n(timeline.total),
      '-movflags', '+faststart',
    ],
    output: spec.output,
  };
}

/** A 1280x720 JPEG thumbnail: the first still with the video's headline. */
export function buildThumbnailJob(still: string, headlineFile: string, output: string): FfmpegJob {
  return {
    inputs: [{ path: still }],
    filter:
      `[0:v]scale=1280:720:force_original_aspect_ratio=increase,crop=1280:720,` +
      `drawbox=x=0:y=ih*0.70:w=iw:h=ih*0.30:color=black@0.55:t=fill,` +
      `drawtext=fontfile=${escapeFilterValue(FONT_SERIF_BOLD)}:textfile=${escapeFilterValue(headlineFile)}:expansion=none:` +
      `fontsize=54:fontcolor=0xf5e6c8:line_spacing=8:x=(w-text_w)/2:y=h*0.85-text_h/2[out]`,
    outputOptions: ['-map', '[out]', '-frames:v', '1', '-q:v', '3', '-update', '1'],
    output,
  };
}
