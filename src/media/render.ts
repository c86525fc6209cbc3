import path from 'node:path';
import fs from 'node:fs';
import { mapLimit } from '../concurrency.js';
import type { FfmpegJob, RunOptions } from './ffmpeg.js';
import { DEFAULT_AUDIO_KBPS, type SoundtrackPlan, planSoundtrack, runSoundtrack } from './soundtrack.js';
import { type CueSheet, cueSheet, escapeFilterValue } from './subtitles.js';
import type { Timeline } from './timeline.js';

/**
 * The render, as data (pure builders; src/stages/render.ts runs them):
 * 1. the soundtrack: each narration placed at its scene's narration start, over a music bed that is
 *    ducked (side-chain compressed) under the voice;
 * 2. the picture: every part (title card, stills, end card) decoded and enlarged once, repeated in
 *    memory, with a slow pan (a moving crop: no per-frame scaling); only the half-second overlaps are
 *    blended (the next picture faded in over the last), the rest is concatenated; subtitles drawn once
 *    per cue and laid over their frames; the soundtrack brought to -14 LUFS by one gain from the
 *    loudness measured beforehand.
 */

const n = (x: number) => Number(x.toFixed(3)).toString();

export interface RenderSpec {
  /** one picture per timeline segment: title card, stills, end card */
  pictures: string[];
  /** one narration per scene, placed at its scene's narration start */
  narrations: string[];
  /** a music track to loop under the narration, or null */
  music: string | null;
  timeline: Timeline;
  width: number;
  height: number;
  /** the ASS script (its text) to burn in, or null */
  captions: string | null;
  preset: string;
  /** how many ffmpeg processes render parts of the picture at once */
  processes: number;
  /** AAC bitrate of the soundtrack, kbps (default DEFAULT_AUDIO_KBPS) */
  audioKbps?: number;
  /** a private folder for the parts */
  workDir: string;
  output: string;
}

export interface RenderPlan {
  /** the subtitles as one transparent picture per cue (`cue-<i>.png` in the work folder), drawn before the parts */
  captions: { sheet: { path: string; content: string }; job: FfmpegJob } | null;
  /** video-only parts, in order; `seconds` is each part's length */
  parts: { job: FfmpegJob; seconds: number }[];
  /** how many parts run at once */
  processes: number;
  /** the soundtrack, run beside the parts: mixed, measured, then brought to -14 LUFS and encoded */
  audio: SoundtrackPlan;
  /** the concat list the join reads (write it before the join) */
  list: { path: string; content: string };
  /** parts and soundtrack joined into the output, without encoding again */
  join: FfmpegJob;
}

/** One stretch of output frames: a picture's own frames, or the crossfade of two pictures. */
type Item =
  | { kind: 'body'; seg: number; from: number; count: number }
  | { kind: 'fade'; seg: number; count: number };

/** At most this many pictures (plus the two a cut may share) in one part: what bounds ffmpeg's memory. */
export const PICTURES_PER_PART = 6;

/**
 * The picture is cut into parts at frames inside scenes' own stretches (never in a crossfade), each part
 * rendered by its own ffmpeg with the same encoder settings, `processes` at a time; the parts and the
 * soundtrack (encoded beside them) are then joined without re-encoding. One ffmpeg cannot keep more than
 * about one and a half cores busy with this graph, so on a machine with more, parts finish sooner
 * together; and since a part holds only its own pictures, memory does not grow with the video's length.
 */
export function planRender(spec: RenderSpec): RenderPlan {
  const { timeline, width: w, height: h } = spec;
  const fps = timeline.fps;
  const segs = timeline.segments;
  if (segs.length === 0 || segs.length !== spec.pictures.length) throw new Error('render needs one picture per part of the timeline');
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
  const processes = Math.max(1, Math.floor(spec.processes));
  const cuts = cutPoints(items, total, Math.max(processes, Math.ceil(segs.length / PICTURES_PER_PART)));
  const bounds = [0, ...cuts, total];
  const sheet = spec.captions ? cueSheet(spec.captions) : null;
  const parts = bounds.slice(0, -1).map((a, k) => {
    const b = bounds[k + 1];
    const job = partJob(spec, sliceItems(items, a, b), frames, tf, a, b - a, sheet, path.join(spec.workDir, `part-${k}.mp4`));
    return { job, seconds: (b - a) / fps };
  });
  const mixed = path.join(spec.workDir, 'soundtrack.wav');
  const audioFile = path.join(spec.workDir, 'soundtrack.m4a');
  const listFile = path.join(spec.workDir, 'parts.txt');
  const seconds = n(total / fps);
  return {
    captions: sheet && captionsPlan(sheet, w, h, spec.workDir),
    parts,
    processes,
    audio: planSoundtrack({ narrations: spec.narrations, timeline, music: spec.music, output: mixed, kbps: spec.audioKbps ?? DEFAULT_AUDIO_KBPS, seconds, encoded: audioFile }),
    // names only: the list sits beside the parts, so no path needs quoting
    // and each part's exact length, so the join places every part on a whole frame
    list: { path: listFile, content: `ffconcat version 1.0\n${parts.map((p, k) => `file part-${k}.mp4\nduration ${p.seconds.toFixed(6)}\n`).join('')}` },
    join: {
      inputs: [{ path: listFile, format: 'concat', options: ['-safe', '0'] }, { path: audioFile }],
      outputOptions: ['-map', '0:v', '-map', '1:a', '-c', 'copy', '-t', seconds, '-movflags', '+faststart'],
      output: spec.output,
    },
  };
}

/**
 * Runs a plan: the soundtrack (mix, measure, encode) beside the parts, `plan.processes` parts at a time
 * (one failure stops the rest), then the join. Nothing waits for the soundtrack but the join.
 */
export async function runRenderPlan(
  plan: RenderPlan,
  run: (job: FfmpegJob, opts: RunOptions) => Promise<string>,
  opts: { signal?: AbortSignal; onProgress?: (seconds: number) => void } = {},
): Promise<void> {
  const stop = new AbortController();
  const onAbort = () => stop.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const done = plan.parts.map(() => 0);
  // the first failure stops everything still running (its ffmpeg is killed), not only what has yet to start
  const failing = <T>(p: Promise<T>) =>
    p.catch((err) => {
      stop.abort(err);
      throw err;
    });
  try {
    await fs.promises.writeFile(plan.list.path, plan.list.content);
    const captions = async () => {
      if (!plan.captions) return;
      await fs.promises.writeFile(plan.captions.sheet.path, plan.captions.sheet.content);
      await run(plan.captions.job, { signal: stop.signal });
    };
    const parts = failing(captions()).then(() => mapLimit(
      plan.parts,
      plan.processes,
      (part, k) =>
        failing(
          run(part.job, {
            signal: stop.signal,
            onProgress: (seconds) => {
              done[k] = Math.min(seconds, part.seconds);
              opts.onProgress?.(done.reduce((a, b) => a + b, 0));
            },
          }),
        ),
      stop.signal,
    ));
    await Promise.all([parts, failing(runSoundtrack(plan.audio, run, stop.signal))]);
    if (stop.signal.aborted) throw stop.signal.reason;
    await run(plan.join, { signal: stop.signal });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** Frames where the parts meet: near equal shares, each moved into the nearest picture's own stretch. */
function cutPoints(items: Item[], total: number, processes: number): number[] {
  const spans: [number, number][] = [];
  let at = 0;
  for (const it of items) {
    if (it.kind === 'body' && it.count >= 2) spans.push([at + 1, at + it.count - 1]);
    at += it.count;
  }
  const cuts = new Set<number>();
  for (let k = 1; k < processes; k++) {
    const want = Math.round((k * total) / processes);
    let best = -1;
    for (const [lo, hi] of spans) {
      const c = Math.min(hi, Math.max(lo, want));
      if (best < 0 || Math.abs(c - want) < Math.abs(best - want)) best = c;
    }
    if (best > 0) cuts.add(best);
  }
  return [...cuts].sort((a, b) => a - b);
}

/** The items (bodies trimmed) that cover output frames [a, b). */
function sliceItems(items: Item[], a: number, b: number): Item[] {
  const out: Item[] = [];
  let at = 0;
  for (const it of items) {
    const lo = Math.max(a, at);
    const hi = Math.min(b, at + it.count);
    if (hi > lo) out.push(it.kind === 'body' ? { ...it, from: it.from + (lo - at), count: hi - lo } : it);
    at += it.count;
  }
  return out;
}

/**
 * One part's graph. Bodies are repeated frames with a moving crop and go straight to concat; only the
 * short tail + head pairs are blended: the head's alpha fades in and overlay lays it on the tail (the same
 * frames as xfade's fade, within rounding, at a quarter of its cost). Every piece keeps its place
 * in its picture's own clock (t), so the pan runs on without a jump across pieces and parts. The crop is
 * exact (odd offsets too), so the picture moves in 1-pixel steps without a per-frame conversion from
 * 4:4:4 (which cost more than the rest of the graph); the half-resolution chroma follows within half a
 * pixel. Subtitles are drawn on the video's own clock: the part's first frame is frame `first`.
 */
function partJob(spec: RenderSpec, items: Item[], frames: number[], tf: number, first: number, count: number, sheet: CueSheet | null, output: string): FfmpegJob {
  const { timeline, width: w, height: h } = spec;
  const fps = timeline.fps;
  const zoom = 1.12;
  const bw = Math.ceil((w * zoom) / 2) * 2;
  const bh = Math.ceil((h * zoom) / 2) * 2;
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
    const length = n(timeline.segments[seg].length);
    const p = `(t/${length})`;
    // scenes alternate the direction of their move; cards hold still, centred
    const dir = timeline.segments[seg].kind === 'scene' ? seg % 4 : -1;
    const x = dir < 0 ? '(iw-ow)/2' : dir === 0 || dir === 3 ? `(iw-ow)*${p}` : `(iw-ow)*(1-${p})`;
    const y = dir < 0 ? '(ih-oh)/2' : dir < 2 ? `(ih-oh)*${p}` : `(ih-oh)*(1-${p})`;
    // the picture is decoded, enlarged and converted once; split only passes references to that frame
    chains.unshift(
      `[${input}:v]scale=${bw}:${bh}:force_original_aspect_ratio=increase,crop=${bw}:${bh},format=yuv420p,setsar=1,settb=1/${fps}` +
        (list.length > 1 ? `,split=${list.length}${list.map(([label]) => `[${label}s]`).join('')}` : `[${list[0][0]}s]`),
    );
    for (const [label, from, frameCount] of list) {
      chains.push(
        `[${label}s]loop=loop=${frameCount - 1}:size=1:start=0,setpts=(N+${from})/(${fps}*TB),` +
          `crop=${w}:${h}:x='${x}':y='${y}':exact=1,setpts=PTS-STARTPTS[${label}]`,
      );
    }
  });
  // timestamps in whole frames of the video's clock (images arrive in 1/25 s ticks), for the subtitles:
  // each cue that falls in this part is laid over the frames of its own time, and passes the rest untouched
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
    inputs: [
      ...inputs.map((seg) => ({ path: spec.pictures[seg], options: ['-threads', '1'] })),
      ...cues.map((c) => ({ path: cuePicture(spec.workDir, c.i) })),
    ],
    filter: chains.join(';'),
    outputOptions: [
      '-map', '[vout]', '-an',
      '-c:v', 'libx264', '-profile:v', 'high', '-preset', spec.preset, ...fullPelSearch(spec.preset), '-crf', '21', '-pix_fmt', 'yuv420p', '-r', String(fps),
      '-frames:v', String(count),
    ],
    output,
  };
}

const cuePicture = (workDir: string, i: number) => path.join(workDir, `cue-${i}.png`);

/**
 * One ffmpeg draws every cue once with libass, on a transparent canvas at one frame per second (cue i at
 * second i of the sheet), and keeps only the band its ink stays in.
 */
function captionsPlan(sheet: CueSheet, w: number, h: number, workDir: string): NonNullable<RenderPlan['captions']> {
  const file = path.join(workDir, 'captions-sheet.ass');
  const count = Math.max(1, sheet.cues.length);
  return {
    sheet: { path: file, content: sheet.sheet },
    job: {
      // rgba inside the source's own graph: converted after it, the canvas would arrive opaque
      inputs: [{ path: `color=c=black@0:s=${w}x${h}:r=1:d=${count},format=rgba`, format: 'lavfi' }],
      filter: `[0:v]ass=filename=${escapeFilterValue(file)}:alpha=1,crop=${w}:${sheet.band.height}:0:${sheet.band.y}[out]`,
      outputOptions: ['-map', '[out]', '-frames:v', String(count), '-c:v', 'png', '-pix_fmt', 'rgba', '-start_number', '0'],
      output: path.join(workDir, 'cue-%d.png'),
    },
  };
}

/**
 * Every moving frame is the previous one shifted by whole pixels (the crop moves in 1-pixel steps), so a
 * full-pixel motion search finds exact matches and sub-pixel refinement buys nothing: on the fast presets
 * this takes about a third off the encoder's time for the same quality (bench/render). The slower presets
 * keep x264's own search, whose rate-distortion decisions are why an operator picks them.
 */
export function fullPelSearch(preset: string): string[] {
  return ['superfast', 'veryfast', 'faster'].includes(preset) ? ['-x264-params', 'me=dia:subme=0'] : [];
}
