import path from 'node:path';
import { type Item, cutPoints, sliceItems } from './cuts.js';
import { type VideoProfile, gopFrames, videoEncoding } from './encoding.js';
import type { FfmpegJob } from './ffmpeg.js';
import type { PartFrames } from './frames.js';
import { sceneMove } from './motion.js';
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

/** One part of the picture: the frames drawn here (src/media/frames.ts) and the encoder reading them. */
export interface Part {
  /** libx264 reading raw frames from its standard input into part-<k>.mp4 */
  job: FfmpegJob;
  frames: PartFrames;
  seconds: number;
}

/**
 * At most this many pictures in one part, so a long video has parts to share between processes and
 * workers (memory does not depend on it: a part holds two plates at a time).
 */
export const PICTURES_PER_PART = 6;

export const cuePicture = (workDir: string, i: number) => path.join(workDir, `cue-${i}.png`);

/**
 * The picture as parts cut at frames inside scenes' own stretches (never in a crossfade), at least
 * `processes` of them and at most PICTURES_PER_PART pictures each, in order; `frames` is the total.
 */
export function planParts(spec: PictureSpec, processes: number, sheet: CueSheet | null): { parts: Part[]; frames: number } {
  const { timeline, width: w, height: h } = spec;
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
  const parts = bounds.slice(0, -1).map((first, k): Part => {
    const count = bounds[k + 1] - first;
    const slice = sliceItems(items, first, first + count);
    const pictures: PartFrames['pictures'] = {};
    for (const it of slice) {
      for (const seg of it.kind === 'body' ? [it.seg] : [it.seg, it.seg + 1]) {
        const s = segs[seg];
        pictures[seg] = { frames: frames[seg], move: s.kind === 'scene' ? sceneMove(spec.seed, s.index, s.length) : null };
      }
    }
    // a cue is shown on the frames whose time falls inside it, on the video's own clock
    const [from, to] = [first / fps, (first + count) / fps];
    const cues = (sheet?.cues ?? []).map((c, i) => ({ i, start: c.start, end: c.end })).filter((c) => c.end > from && c.start < to);
    return {
      frames: { width: w, height: h, fps, fade: tf, first, items: slice, pictures, cues },
      seconds: count / fps,
      job: {
        inputs: [{ path: 'pipe:0', format: 'rawvideo', options: ['-pix_fmt', 'yuv420p', '-s', `${w}x${h}`, '-r', String(fps)] }],
        outputOptions: ['-map', '0:v', '-an', ...videoEncoding(spec.profile, spec.preset, w, h, fps), '-frames:v', String(count)],
        output: path.join(spec.workDir, `part-${k}.mp4`),
      },
    };
  });
  return { parts, frames: total };
}
