/**
 * The Ken Burns move of one still, as pure maths: where the visible window sits in the picture at each
 * frame. The window's size changes geometrically (a steady zoom) and its centre moves in a straight line;
 * both follow one eased progress, so every frame moves by the same fraction of a pixel except in the
 * eased first and last second, where the speed rises from (and falls back to) a quarter of it, never zero.
 */

/** What the camera frames: `zoom` (1 = the whole picture) and the window's centre, as fractions of the picture. */
export interface Framing {
  zoom: number;
  x: number;
  y: number;
}

export interface Move {
  from: Framing;
  to: Framing;
  /** how much of the move (0..0.5 at each end) is spent speeding up and slowing down */
  ramp: number;
}

/** The speed at each end of a move, as a fraction of its cruising speed: the picture never stops inside a scene. */
export const END_SPEED = 0.25;
/** How long the move takes to reach its cruising speed, in seconds (at most a fifth of a short scene). */
export const RAMP_SECONDS = 1;

/** A scene shorter than this moves less, not faster. */
const FULL_MOVE_SECONDS = 8;
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

/** FNV-1a: a stable 32-bit hash of a story's seed and a scene's place. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** mulberry32: numbers in [0, 1) from a 32-bit seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The move of scene `index` of the story `seed`, lasting `seconds`: scenes alternate zooming in and out
 * (which comes first depends on the story), pan in directions a golden angle apart, and take their zoom
 * and reach from the story's hash. Each end's window lies inside the picture, so every window between
 * them does too (see windowAt).
 */
export function sceneMove(seed: string, index: number, seconds: number): Move {
  const rnd = random(hash(`${seed}#${index}`));
  const story = hash(seed);
  const scale = Math.min(1, seconds / FULL_MOVE_SECONDS);
  const near = 1.04 + 0.03 * rnd();
  const far = near + (0.1 + 0.05 * rnd()) * scale;
  const angle = (story % 360) * (Math.PI / 180) + index * GOLDEN_ANGLE;
  const reach = (0.5 + 0.5 * rnd()) * scale;
  // the centre may sit this far from the middle at a zoom and still keep the window inside the picture
  const at = (zoom: number, side: number): Framing => {
    const room = (1 - 1 / zoom) / 2;
    return { zoom, x: 0.5 + side * Math.cos(angle) * reach * room, y: 0.5 + side * Math.sin(angle) * reach * room };
  };
  const zoomIn = (story + index) % 2 === 0;
  return {
    from: at(zoomIn ? near : far, -1),
    to: at(zoomIn ? far : near, 1),
    ramp: Math.min(0.2, RAMP_SECONDS / Math.max(seconds, 1e-6)),
  };
}

/**
 * Eased progress (0..1) at time p (0..1): cruising at a constant speed between the ramps, which rise from
 * END_SPEED of it along half a cosine. The cruising speed is what makes the ramps' shortfall up.
 */
export function ease(p: number, ramp: number): number {
  if (ramp <= 0) return p;
  const k = END_SPEED;
  const v = 1 / (1 - ramp * (1 - k));
  const rise = (q: number) => v * (k * q + (1 - k) * (q / 2 - (ramp / (2 * Math.PI)) * Math.sin((Math.PI * q) / ramp)));
  if (p < ramp) return rise(p);
  if (p > 1 - ramp) return 1 - rise(1 - p);
  return v * ((ramp * (1 + k)) / 2 + p - ramp);
}

/** The same ease as an ffmpeg expression of the expression `p`. */
export function easeExpression(p: string, ramp: number): string {
  if (ramp <= 0) return p;
  const k = END_SPEED;
  const v = 1 / (1 - ramp * (1 - k));
  const rise = (q: string) => `${num(v)}*(${num(k)}*${q}+${num(1 - k)}*(${q}/2-${num(ramp / (2 * Math.PI))}*sin(${num(Math.PI / ramp)}*${q})))`;
  return `if(lt(${p},${num(ramp)}),${rise(p)},if(gt(${p},${num(1 - ramp)}),1-${rise(`(1-${p})`)},${num(v)}*(${num((ramp * (1 + k)) / 2 - ramp)}+${p})))`;
}

export interface Window {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The window at eased progress e, in pixels of a w x h picture, measured over [0, w-1] x [0, h-1] so that
 * bilinear sampling never reads past the last row or column. Its left edge (centre minus half a
 * geometrically shrinking or growing size) is concave in e and its right edge convex, so when both
 * ends are inside the picture the whole move is.
 */
export function windowAt(move: Move, e: number, w: number, h: number): Window {
  const size = (1 / move.from.zoom) * (move.from.zoom / move.to.zoom) ** e;
  const x = move.from.x + (move.to.x - move.from.x) * e;
  const y = move.from.y + (move.to.y - move.from.y) * e;
  return { left: (x - size / 2) * (w - 1), top: (y - size / 2) * (h - 1), width: size * (w - 1), height: size * (h - 1) };
}

/**
 * The move as ffmpeg's perspective filter (bilinear, expressions evaluated per frame) for a piece whose
 * first frame is frame `from` of the picture's `frames`: each corner of the output is sent the matching
 * corner of the window. `in` counts the piece's frames from 1.
 */
export function moveFilter(move: Move, w: number, h: number, frames: number, from: number): string {
  const p = `((in-1+${from})/${Math.max(1, frames - 1)})`;
  const e = `(${easeExpression(p, move.ramp)})`;
  const size = `(${num(1 / move.from.zoom)}*pow(${num(move.from.zoom / move.to.zoom)},${e}))`;
  const centre = (a: number, b: number) => `(${num(a)}+${num(b - a)}*${e})`;
  const left = `(${centre(move.from.x, move.to.x)}-${size}/2)*${w - 1}`;
  const top = `(${centre(move.from.y, move.to.y)}-${size}/2)*${h - 1}`;
  const right = `${left}+${size}*${w - 1}`;
  const bottom = `${top}+${size}*${h - 1}`;
  return `perspective=x0='${left}':y0='${top}':x1='${right}':y1='${top}':x2='${left}':y2='${bottom}':x3='${right}':y3='${bottom}':eval=frame`;
}

const num = (x: number) => Number(x.toPrecision(9)).toString();
