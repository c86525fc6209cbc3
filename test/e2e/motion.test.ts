import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import { ease, sceneMove, windowAt } from '../../src/media/motion.js';
import { planRender } from '../../src/media/render.js';
import { renderPart } from '../../src/media/run-render.js';
import { buildTimeline } from '../../src/media/timeline.js';
import { tempDir } from '../helpers/services.js';

/**
 * The Ken Burns move measured on real ffmpeg output: a textured picture is rendered as one scene between
 * two cards, and the motion between consecutive frames is estimated from the pixels (a least-squares
 * fit of a pan and a zoom to the frames' brightness gradients), as a viewer's eye would follow it.
 */

const W = 640;
const H = 360;
const FPS = 30;
const SEED = 'motion-test';

/** Every frame of a video as grey bytes. */
function greyFrames(file: string, w: number, h: number): Uint8Array[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 1 << 30 });
  return Array.from({ length: raw.length / (w * h) }, (_, k) => new Uint8Array(raw.buffer, raw.byteOffset + k * w * h, w * h));
}

function bilinear(img: Uint8Array, w: number, h: number, u: number, v: number): number {
  const x = Math.min(Math.max(u, 0), w - 1.000001);
  const y = Math.min(Math.max(v, 0), h - 1.000001);
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const i = y0 * w + x0;
  return (img[i] * (1 - fx) + img[i + 1] * fx) * (1 - fy) + (img[i + w] * (1 - fx) + img[i + w + 1] * fx) * fy;
}

/** Solves a 3x3 linear system (Cramer's rule). */
function solve3(m: number[][], r: number[]): number[] {
  const det = (a: number[][]) => a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const d = det(m);
  return [0, 1, 2].map((c) => det(m.map((row, i) => row.map((x, j) => (j === c ? r[i] : x)))) / d);
}

/**
 * The motion from frame a to frame b as a pan (dx, dy) and a zoom rate z about the frame's centre:
 * content at p in a is at p + (dx, dy) + z * (p - centre) in b. Gauss-Newton on the brightness, twice.
 */
function motion(a: Uint8Array, b: Uint8Array, w: number, h: number): { dx: number; dy: number; z: number } {
  let [dx, dy, z] = [0, 0, 0];
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let iter = 0; iter < 3; iter++) {
    const m = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    const r = [0, 0, 0];
    for (let y = 8; y < h - 8; y += 2) {
      for (let x = 8; x < w - 8; x += 2) {
        // where this pixel of b came from in a, under the motion so far
        const u = x - (dx + z * (x - cx)) / (1 + z);
        const v = y - (dy + z * (y - cy)) / (1 + z);
        const ia = bilinear(a, w, h, u, v);
        const gx = (bilinear(a, w, h, u + 1, v) - bilinear(a, w, h, u - 1, v)) / 2;
        const gy = (bilinear(a, w, h, u, v + 1) - bilinear(a, w, h, u, v - 1)) / 2;
        const it = b[y * w + x] - ia;
        const j = [-gx, -gy, -(gx * (x - cx) + gy * (y - cy))];
        for (let p = 0; p < 3; p++) {
          r[p] += j[p] * it;
          for (let q = 0; q < 3; q++) m[p][q] += j[p] * j[q];
        }
      }
    }
    const [ddx, ddy, dz] = solve3(m, r);
    dx += ddx;
    dy += ddy;
    z += dz;
  }
  return { dx, dy, z };
}

/** How far the frame's corners move under a motion, in pixels. */
const cornerShift = (mv: { dx: number; dy: number; z: number }) =>
  Math.max(...[[-1, -1], [1, -1], [-1, 1], [1, 1]].map(([sx, sy]) => Math.hypot(mv.dx + (mv.z * sx * (W - 1)) / 2, mv.dy + (mv.z * sy * (H - 1)) / 2)));

describe('the Ken Burns move on real frames', () => {
  const dir = tempDir('la-motion-');
  const picture = path.join(dir, 'texture.png');
  const timeline = buildTimeline([3.4], { fps: FPS, transition: 0.5, intro: 1, outro: 1 });
  const scene = timeline.segments[1];
  const first = Math.round(scene.start * FPS);
  const frames = Math.round(scene.length * FPS);
  const tf = Math.round(timeline.transition * FPS);
  let video: Uint8Array[];
  let plate: Uint8Array;

  beforeAll(async () => {
    // grey blobs a few pixels across: detail everywhere, no flat area where motion could hide
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `color=gray:s=${W}x${H},noise=alls=100:allf=u:all_seed=7,gblur=sigma=1.5,format=gray`, '-frames:v', '1', '-y', picture]);
    plate = greyFrames(picture, W, H)[0];
    const plan = planRender({ pictures: [picture, picture, picture], narrations: [], music: null, timeline, width: W, height: H, captions: null, seed: SEED, profile: 'draft', preset: 'veryfast', processes: 1, workDir: dir, output: path.join(dir, 'o.mp4') });
    // the graph's frames as drawn: encoded near losslessly (qp 2), so the encoder's frame types do not blur the measurement
    const job = plan.parts[0].job;
    const crf = job.outputOptions.indexOf('-crf');
    job.outputOptions = job.outputOptions.map((o, i) => (i === crf ? '-qp' : i === crf + 1 ? '2' : o));
    await renderPart(plan, 0, runFfmpeg, { signal: new AbortController().signal });
    video = greyFrames(job.output, W, H);
  }, 120_000);

  it('shows exactly the planned window of the picture on every frame, edges included', () => {
    const move = sceneMove(SEED, 0, scene.length);
    const worst: number[] = [];
    for (const f of [tf, Math.round(frames / 2), frames - tf - 1]) {
      const win = windowAt(move, ease(f / (frames - 1), move.ramp), W, H);
      const expected = (x: number, y: number, sx = 0, sy = 0) => bilinear(plate, W, H, win.left + sx + (x * win.width) / W, win.top + sy + (y * win.height) / H);
      const frame = video[first + f];
      const error = (sx: number, sy: number) => {
        let sum = 0;
        for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) sum += Math.abs(frame[y * W + x] - expected(x, y, sx, sy));
        return sum / (W * H);
      };
      let border = 0;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          if (x === 0 || y === 0 || x === W - 1 || y === H - 1) border = Math.max(border, Math.abs(frame[y * W + x] - expected(x, y)));
        }
      }
      const exact = error(0, 0);
      worst.push(exact, border);
      // the planned window fits better than any window half a pixel away
      for (const [sx, sy] of [[0.5, 0], [-0.5, 0], [0, 0.5], [0, -0.5]]) expect(error(sx, sy)).toBeGreaterThan(exact * 1.15);
    }
    // mean error of the encoding only; the outermost rows and columns are picture, not a fill or a smear
    expect(Math.max(...worst.filter((_, i) => i % 2 === 0))).toBeLessThan(4);
    expect(Math.max(...worst.filter((_, i) => i % 2 === 1))).toBeLessThan(25);
  });

  it('moves every frame by a steady fraction of a pixel, zooming as it pans, eased at the ends but never still', () => {
    const move = sceneMove(SEED, 0, scene.length);
    // the picture's own frames (not the crossfades): consecutive pairs
    const measured = [];
    for (let f = tf; f < frames - tf - 1; f++) measured.push({ f, ...motion(video[first + f], video[first + f + 1], W, H) });
    const shifts = measured.map(cornerShift);
    // never still, anywhere in the scene
    expect(Math.min(...shifts)).toBeGreaterThan(0.03);
    // the cruise (the ramps left out)
    const ramp = Math.ceil(move.ramp * frames);
    const cruise = measured.filter((m) => m.f >= ramp && m.f < frames - ramp - 1);
    expect(cruise.length).toBeGreaterThan(frames / 3);
    // the plan drawn in JS (the planned windows of the picture, sampled bilinearly as ffmpeg's perspective
    // does) and measured the same way: what the estimator reads for exactly the planned motion
    const drawn = (f: number) => {
      const win = windowAt(move, ease(f / (frames - 1), move.ramp), W, H);
      const out = new Uint8Array(W * H);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + x] = Math.round(bilinear(plate, W, H, win.left + (x * win.width) / W, win.top + (y * win.height) / H));
      return out;
    };
    const planned = (f: number) => cornerShift(motion(drawn(f), drawn(f + 1), W, H));
    const cruiseShifts = cruise.map(cornerShift);
    const median = [...cruiseShifts].sort((a, b) => a - b)[cruiseShifts.length >> 1];
    cruise.forEach((m, k) => {
      // steady: every frame within 5% of the scene's cruising motion and 3% of the frame before
      expect(Math.abs(cruiseShifts[k] - median) / median).toBeLessThan(0.05);
      if (k > 0) expect(Math.abs(cruiseShifts[k] - cruiseShifts[k - 1]) / cruiseShifts[k - 1]).toBeLessThan(0.03);
      // and what was planned, within 3%
      if (k % 10 === 0) expect(Math.abs(cruiseShifts[k] - planned(m.f)) / planned(m.f)).toBeLessThan(0.03);
    });
    // the ends are eased: slower than the cruise, by about END_SPEED at the very first frames
    expect(shifts[0]).toBeLessThan(0.8 * Math.min(...cruiseShifts));
    // and the picture's scale changes over the scene, in one direction, by what the move plans
    const zoom = measured.reduce((p, m) => p * (1 + m.z), 1);
    const plannedZoom = windowAt(move, ease(tf / (frames - 1), move.ramp), W, H).width / windowAt(move, ease((frames - tf - 1) / (frames - 1), move.ramp), W, H).width;
    expect(Math.abs(Math.log(zoom))).toBeGreaterThan(0.03);
    expect(Math.log(zoom) / Math.log(plannedZoom)).toBeGreaterThan(0.85);
    expect(Math.log(zoom) / Math.log(plannedZoom)).toBeLessThan(1.15);
    expect(new Set(cruise.map((m) => Math.sign(m.z))).size).toBe(1);
  });
});
