/**
 * Where the picture's parts meet. The output is a run of items (body 0, fade 0|1, body 1, …); parts are
 * cut only inside bodies, so a crossfade is never split between two ffmpeg processes.
 */

/** One stretch of output frames: a picture's own frames, or the crossfade of two pictures. */
export type Item = { kind: 'body'; seg: number; from: number; count: number } | { kind: 'fade'; seg: number; count: number };

/** Frames where the parts meet: near equal shares, each moved into the nearest picture's own stretch. */
export function cutPoints(items: Item[], total: number, count: number, align: number): number[] {
  const spans: [number, number][] = [];
  let at = 0;
  for (const it of items) {
    if (it.kind === 'body' && it.count >= 2) spans.push([at + 1, at + it.count - 1]);
    at += it.count;
  }
  const cuts = new Set<number>();
  for (let k = 1; k < count; k++) {
    const want = Math.round((k * total) / count);
    let best = -1;
    for (const [lo, hi] of spans) {
      // on a GOP boundary where the span has one, so keyframes stay evenly spaced across the join
      const snapped = Math.round(want / align) * align;
      const inside = Math.min(hi - ((hi % align) || 0), Math.max(lo + ((align - (lo % align)) % align), snapped));
      const c = inside >= lo && inside <= hi ? inside : Math.min(hi, Math.max(lo, want));
      if (best < 0 || Math.abs(c - want) < Math.abs(best - want)) best = c;
    }
    if (best > 0) cuts.add(best);
  }
  return [...cuts].sort((a, b) => a - b);
}

/** The items (bodies trimmed) that cover output frames [a, b). */
export function sliceItems(items: Item[], a: number, b: number): Item[] {
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
