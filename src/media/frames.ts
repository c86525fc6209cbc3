import type { Writable } from 'node:stream';
import type { Item } from './cuts.js';
import { type Move, ease, windowAt } from './motion.js';
import type { CuePlanes } from './warp.js';
import { FramePainter } from './warp.js';

/**
 * One part's frames, as data (src/media/parts.ts plans it, src/media/run-render.ts feeds its encoder): the run
 * of items it covers, what each picture does (a scene's Ken Burns move on its own clock, or a card held
 * still), and the cues laid over frames on the video's clock.
 */
export interface PartFrames {
  width: number;
  height: number;
  fps: number;
  /** frames each crossfade lasts */
  fade: number;
  /** the part's first frame, counted in the whole video */
  first: number;
  items: Item[];
  /** by segment: its picture's frame count and move (null: a card); only the segments the items use */
  pictures: Record<number, { frames: number; move: Move | null }>;
  /** cues shown in this part: index in the cue sheet and their time in the video, seconds */
  cues: { i: number; start: number; end: number }[];
}

export interface FrameSources {
  /** the fitted picture of segment `seg` as one raw frame */
  plate(seg: number): Promise<Uint8Array>;
  /** cue `i` as planes */
  cue(i: number): Promise<CuePlanes>;
}

/** Each frame in order as [what to draw]: a picture's frame, or a crossfade's pair and its opacity. */
function* shots(part: PartFrames): Generator<{ seg: number; at: number; next?: { seg: number; at: number; t: number } }> {
  for (const it of part.items) {
    if (it.kind === 'body') {
      for (let k = 0; k < it.count; k++) yield { seg: it.seg, at: it.from + k };
    } else {
      const tail = part.pictures[it.seg].frames - part.fade;
      for (let k = 0; k < it.count; k++) yield { seg: it.seg, at: tail + k, next: { seg: it.seg + 1, at: k, t: k / part.fade } };
    }
  }
}

/** The segments in the order the part first uses them. */
function order(part: PartFrames): number[] {
  const segs: number[] = [];
  for (const it of part.items) for (const s of it.kind === 'body' ? [it.seg] : [it.seg, it.seg + 1]) if (!segs.includes(s)) segs.push(s);
  return segs;
}

/**
 * Draws the part's frames and writes each to `out` (raw 4:2:0, as the encoder reads them), two frames in
 * turn so one is drawn while the other is written. Plates are decoded one picture ahead; at most two are
 * held, with one cue, whatever the part's length.
 */
export async function writeFrames(part: PartFrames, sources: FrameSources, out: Writable, signal?: AbortSignal): Promise<void> {
  const painter = new FramePainter(part.width, part.height);
  const segs = order(part);
  const decoded = new Map<number, Promise<Uint8Array>>();
  const ahead = (seg: number) => {
    const k = segs.indexOf(seg);
    for (const s of segs.slice(k, k + 2)) if (!decoded.has(s)) decoded.set(s, quiet(sources.plate(s)));
  };
  // slot -> segment held there
  const held: (number | null)[] = [null, null];
  const slotOf = async (seg: number, keep: number): Promise<number> => {
    const at = held.indexOf(seg);
    if (at >= 0) return at;
    ahead(seg);
    const plate = await decoded.get(seg)!;
    const free = held[0] === keep ? 1 : 0;
    painter.loadPlate(free, plate);
    decoded.delete(seg);
    held[free] = seg;
    return free;
  };
  const draw = (seg: number, slot: number, at: number, f: number) => {
    const pic = part.pictures[seg];
    if (!pic.move) return painter.copy(slot, f);
    painter.warp(slot, windowAt(pic.move, ease(at / Math.max(1, pic.frames - 1), pic.move.ramp), part.width, part.height), f);
  };
  let cue = null as { i: number; planes: CuePlanes } | null;
  const cues = new Map<number, Promise<CuePlanes>>();
  let writing: Promise<void> = Promise.resolve();
  let n = 0;
  for (const shot of shots(part)) {
    if (signal?.aborted) throw signal.reason;
    const f = n % 2;
    const slot = await slotOf(shot.seg, shot.next?.seg ?? -1);
    if (shot.next) {
      const nextSlot = await slotOf(shot.next.seg, shot.seg);
      draw(shot.seg, slot, shot.at, f);
      draw(shot.next.seg, nextSlot, shot.next.at, 2);
      painter.fade(f, 2, f, shot.next.t);
    } else {
      draw(shot.seg, slot, shot.at, f);
    }
    const t = (part.first + n) / part.fps;
    const showing = part.cues.find((c) => c.start <= t && t < c.end);
    if (showing) {
      if (cue?.i !== showing.i) {
        if (!cues.has(showing.i)) cues.set(showing.i, quiet(sources.cue(showing.i)));
        cue = { i: showing.i, planes: await cues.get(showing.i)! };
        cues.delete(showing.i);
        painter.loadCue(cue.planes);
        // the next cue decoded while this one shows
        const next = part.cues[part.cues.indexOf(showing) + 1];
        if (next && !cues.has(next.i)) cues.set(next.i, quiet(sources.cue(next.i)));
      }
      painter.overlay(cue.planes, f);
    }
    await writing;
    writing = write(out, painter.view(f));
    n++;
  }
  await writing;
}

/** A promise fetched ahead: if it fails before anyone waits for it, the one who waits later hears of it. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

function write(out: Writable, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(bytes, (err) => (err ? reject(err) : resolve()));
  });
}
