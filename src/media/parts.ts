import path from 'node:path';
import { type Item, cutPoints, sliceItems } from './cuts.js';
import { type VideoProfile, gopFrames, videoEncoding } from './encoding.js';
import type { FfmpegJob } from './ffmpeg.js';
import { moveFilter, sceneMove } from './motion.js';
import { plate } from './plate.js';
import type { CueSheet } from './subtitles.js';
import type { Timeline } from './timeline.js';

/** What the picture's parts are made from (the render's spec, less the soundtrack). */
export interface PictureSpec {
  /** one picture per timeline segment: title card, stills, end card */
  pictures: string[];
  timeline: Timeline;
  width: number;
  height: number;
  /** what makes each story's moves its own (the story id): the same seed gives the same moves */
  seed: string;
  profile: VideoProfile;
  preset: string;
  workDir: string;
}

/** At most this many pictures (plus the two a cut may share) in one part: what bounds ffmpeg's memory. */
export const PICTURES_PER_PART = 6;

export const cuePicture = (workDir: string, i: number) => path.join(workDir, `cue-${i}.png`);

const n = (x: number) => Number(x.toFixed(3)).toString();

/**
 * The picture as parts cut at frames inside scenes' own stretches (never in a crossfade), at least
 * `processes` of them and at most PICTURES_PER_PART pictures each, in order; `frames` is the total.
 */
export function planParts(spec: PictureSpec, processes: number, sheet: CueSheet | null): { parts: { job: FfmpegJob; seconds: number }[]; frames: number } {
  const { timeline } = spec;
  const fps = timeline.fps;
  const segs = timeline.segments;
  const tf = Math.round(timeline.transition * fps);
  const frames = segs.map((s) => Math.round(s.length * fps));
  // the output as a run of items: body 0, fade 0|1, body 1, …
  const items: Item[] = [];
  segs.forEach((_, i) => {
    const head = i > 0 ? tf : 0;
    const tail = i < segs.length - 1 ? tf : 0;
    items.push({ kind: 'body', seg: i, from: head, count: frames[i] - head - tail });
    if (tail) items.push({ kind: 'fade', seg: i, count: tf });
  });
  const total = items.reduce((a, it) => a + it.count, 0);
  const bounds = [0, ...cutPoints(items, total, Math.max(processes, Math.ceil(segs.length / PICTURES_PER_PART)), gopFrames(fps)), total];
  const parts = bounds.slice(0, -1).map((a, k) => {
    const b = bounds[k + 1];
    const job = partJob(spec, sliceItems(items, a, b), frames, tf, a, b - a, sheet, path.join(spec.workDir, `part-${k}.mp4`));
    return { job, seconds: (b - a) / fps };
  });
  return { parts, frames: total };
}

/**
 * One part's graph. Bodies are repeated frames moved by the perspective filter and go straight to
 * concat; only the short tail + head pairs are blended: the head's alpha fades in and overlay lays it on
 * the tail (the same frames as xfade's fade, within rounding, at a quarter of its cost). Every piece
 * keeps its place in its picture's own clock (`from`), so the move runs on without a jump across pieces
 * and parts; cards hold still. Subtitles are drawn on the video's own clock: the part's first frame is
 * frame `first`.
 */
function partJob(spec: PictureSpec, items: Item[], frames: number[], tf: number, first: number, count: number, sheet: CueSheet | null, output: string): FfmpegJob {
  const { timeline, width: w, height: h } = spec;
  const fps = timeline.fps;
  // pieces each picture gives: [label, first frame in its clock, frames]
  const pieces = new Map<number, [string, number, number][]>();
  const take = (seg: number, label: string, from: number, count: number) => {
    if (!pieces.has(seg)) pieces.set(seg, []);
    pieces.get(seg)!.push([label, from, count]);
  };
  const order: string[] = [];
  const chains: string[] = [];
  items.forEach((it, k) => {
    if (it.kind === 'body') {
      take(it.seg, `b${k}`, it.from, it.count);
      order.push(`[b${k}]`);
    } else {
      take(it.seg, `t${k}`, frames[it.seg] - tf, tf);
      take(it.seg + 1, `h${k}`, 0, tf);
      chains.push(`[h${k}]format=yuva420p,fade=t=in:st=0:d=${n(tf / fps)}:alpha=1[f${k}];[t${k}][f${k}]overlay=format=yuv420:eof_action=pass[x${k}]`);
      order.push(`[x${k}]`);
    }
  });
  const inputs = [...pieces.keys()];
  inputs.forEach((seg, input) => {
    const list = pieces.get(seg)!;
    const s = timeline.segments[seg];
    const move = s.kind === 'scene' ? sceneMove(spec.seed, s.index, s.length) : null;
    // split passes references to the one fitted frame
    chains.unshift(plate(input, w, h, fps) + (list.length > 1 ? `,split=${list.length}${list.map(([label]) => `[${label}s]`).join('')}` : `[${list[0][0]}s]`));
    for (const [label, from, frameCount] of list) {
      const moved = move ? `,${moveFilter(move, w, h, frames[seg], from)}` : '';
      chains.push(`[${label}s]loop=loop=${frameCount - 1}:size=1:start=0${moved},setpts=N/(${fps}*TB)[${label}]`);
    }
  });
  // timestamps in whole frames of the video's clock, for the subtitles: each cue that falls in this part
  // is laid over the frames of its own time, and passes the rest untouched
  const from = first / fps;
  const to = (first + count) / fps;
  const cues = (sheet?.cues ?? []).map((c, i) => ({ ...c, i })).filter((c) => c.end > from && c.start < to);
  let last = 'c0';
  const burn = cues.map((c, k) => {
    const next = `c${k + 1}`;
    const step = `[${last}][${inputs.length + k}:v]overlay=x=0:y=${sheet!.band.y}:enable='gte(t,${n(c.start)})*lt(t,${n(c.end)})'[${next}]`;
    last = next;
    return step;
  });
  chains.push(`${order.join('')}concat=n=${order.length}:v=1:a=0,settb=1/${fps},setpts=(N+${first})/(${fps}*TB)[c0]`, ...burn, `[${last}]setpts=PTS-STARTPTS,format=yuv420p[vout]`);
  return {
    // one decoding thread per picture: each decoder's frame threads would hold buffers for a single image
    inputs: [...inputs.map((seg) => ({ path: spec.pictures[seg], options: ['-threads', '1'] })), ...cues.map((c) => ({ path: cuePicture(spec.workDir, c.i) }))],
    filter: chains.join(';'),
    outputOptions: ['-map', '[vout]', '-an', ...videoEncoding(spec.profile, spec.preset, w, h, fps), '-frames:v', String(count)],
    output,
  };
}
