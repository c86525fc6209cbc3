import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { toPlanes } from '../../src/media/cue-planes.js';
import { type PartFrames, writeFrames } from '../../src/media/frames.js';
import { plateFrame, toYuv420 } from '../../src/media/plate.js';
import { FramePainter } from '../../src/media/warp.js';

/** A plane sampled bilinearly in double precision: what the SIMD resampler must match. */
function reference(plane: Uint8Array, w: number, h: number, u: number, v: number): number {
  const x = Math.min(Math.max(u, 0), w - 1);
  const y = Math.min(Math.max(v, 0), h - 1);
  const x0 = Math.min(Math.floor(x), w - 2);
  const y0 = Math.min(Math.floor(y), h - 2);
  const [fx, fy] = [x - x0, y - y0];
  const at = (i: number, j: number) => plane[j * w + i];
  return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
}

function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let a = seed;
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    out[i] = a >>> 24;
  }
  return out;
}

describe('the frame painter (SIMD)', () => {
  for (const [w, h] of [
    [64, 36],
    [40, 24],
    [1080, 64],
  ]) {
    it(`samples the planned window of every plane within a level of exact bilinear sampling (${w}x${h})`, () => {
      const painter = new FramePainter(w, h);
      const plate = noise((w * h * 3) / 2, w + h);
      painter.loadPlate(1, plate);
      const win = { left: 3.37, top: 1.71, width: (w - 6) * 0.93, height: (h - 4) * 0.91 };
      painter.warp(1, win, 0);
      const out = painter.view(0);
      const [sx, sy] = [win.width / w, win.height / h];
      let worst = 0;
      let sum = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const e = Math.abs(out[y * w + x] - reference(plate, w, h, win.left + x * sx, win.top + y * sy));
          worst = Math.max(worst, e);
          sum += e;
        }
      }
      // chroma: the same window, sited as H.264's 4:2:0 (left columns, between rows)
      const [cw, ch] = [w / 2, h / 2];
      for (const plane of [w * h, w * h + cw * ch]) {
        const src = plate.subarray(plane, plane + cw * ch);
        for (let y = 0; y < ch; y++) {
          for (let x = 0; x < cw; x++) {
            const want = reference(src, cw, ch, win.left / 2 + x * sx, win.top / 2 + 0.25 * (sy - 1) + y * sy);
            worst = Math.max(worst, Math.abs(out[plane + y * cw + x] - want));
          }
        }
      }
      // weights in 256ths of a pixel on noise of full contrast: within a level and a half, a quarter level on average
      expect(worst).toBeLessThan(1.5);
      expect(sum / (w * h)).toBeLessThan(0.3);
      // a move of a hundredth of a pixel changes the picture: no whole-pixel steps
      painter.warp(1, { ...win, left: win.left + 0.01 }, 1);
      expect(Buffer.compare(Buffer.from(painter.view(0)), Buffer.from(painter.view(1)))).not.toBe(0);
    });
  }

  it('crossfades two frames and lays a cue picture over one by its alpha, leaving transparent pixels untouched', () => {
    const [w, h] = [64, 36];
    const painter = new FramePainter(w, h);
    painter.loadPlate(0, new Uint8Array((w * h * 3) / 2).fill(40));
    painter.loadPlate(1, new Uint8Array((w * h * 3) / 2).fill(200));
    painter.copy(0, 0);
    painter.copy(1, 2);
    painter.fade(0, 2, 1, 0.25);
    expect(new Set(painter.view(1))).toEqual(new Set([80]));
    // a cue band of 4 rows at row 10: opaque white on the left half, half-transparent black in the right half, then nothing
    const rgba = new Uint8Array(w * 4 * 4);
    for (let j = 0; j < 4; j++) {
      for (let i = 0; i < w; i++) {
        const p = (j * w + i) * 4;
        if (i < 32) rgba.set([255, 255, 255, 255], p);
        else if (i < 48) rgba.set([0, 0, 0, 128], p);
      }
    }
    const cue = toPlanes(rgba, w, 4, 10);
    painter.loadCue(cue);
    painter.overlay(cue, 0);
    const f = painter.view(0);
    expect([f[10 * w + 5], f[13 * w + 31], f[11 * w + 40], f[12 * w + 50], f[9 * w + 5], f[14 * w + 5]]).toEqual([235, 235, Math.round((40 * 127 + 16 * 129) / 256), 40, 40, 40]);
    // chroma of white and black is neutral
    expect(f[w * h + 5 * (w / 2) + 3]).toBe(128);
  });

  it('fits a portrait whole over a blurred, darkened fill, and fills the frame with a picture of about its shape', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'la-plate-'));
    try {
      const portrait = path.join(dir, 'portrait.png');
      await sharp({ create: { width: 200, height: 400, channels: 3, background: { r: 240, g: 240, b: 240 } } }).png().toFile(portrait);
      const [w, h] = [64, 36];
      const plate = await plateFrame(portrait, w, h);
      // whole: 18 columns wide (36 rows at 1:2) in the middle, the rest the fill at 0.45 of its brightness
      const row = Array.from(plate.subarray(18 * w, 19 * w));
      expect(row.slice(24, 40).every((v) => v > 200)).toBe(true);
      expect(row.slice(0, 16).every((v) => v > 90 && v < 110)).toBe(true);
      const wide = path.join(dir, 'wide.png');
      await sharp({ create: { width: 200, height: 120, channels: 3, background: { r: 240, g: 240, b: 240 } } }).png().toFile(wide);
      expect(Math.min(...(await plateFrame(wide, w, h)).subarray(0, w * h))).toBeGreaterThan(200);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('converts sRGB to BT.709 limited range: white, black, and a saturated red', () => {
    const [w, h] = [16, 16];
    const rgb = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) rgb.set(i < 128 ? [255, 255, 255] : i < 192 ? [0, 0, 0] : [255, 0, 0], i * 3);
    const yuv = toYuv420(rgb, w, h);
    expect([yuv[0], yuv[130], yuv[200]]).toEqual([235, 16, 63]);
    // BT.709 red: Cb 102, Cr 240
    const at = (plane: number, x: number, y: number) => yuv[w * h + plane * 64 + y * 8 + x];
    expect([at(0, 0, 7), at(1, 0, 7)]).toEqual([102, 240]);
    expect([at(0, 0, 0), at(1, 0, 0)]).toEqual([128, 128]);
  });
});

describe('a part\'s frames', () => {
  it('draws every frame in order: cards held, crossfades blended, each cue on its own frames, each plate decoded once', async () => {
    const [w, h, fps] = [32, 16, 10];
    const bytes = (w * h * 3) / 2;
    // card (seg 0, 10 frames), scene (seg 1, 20 frames, moving), card (seg 2, 10 frames); 4-frame crossfades
    const part: PartFrames = {
      width: w,
      height: h,
      fps,
      fade: 4,
      first: 0,
      items: [
        { kind: 'body', seg: 0, from: 0, count: 6 },
        { kind: 'fade', seg: 0, count: 4 },
        { kind: 'body', seg: 1, from: 4, count: 12 },
        { kind: 'fade', seg: 1, count: 4 },
        { kind: 'body', seg: 2, from: 4, count: 6 },
      ],
      pictures: { 0: { frames: 10, move: null }, 1: { frames: 20, move: { from: { zoom: 1.05, x: 0.5, y: 0.5 }, to: { zoom: 1.1, x: 0.52, y: 0.5 }, ramp: 0.1 } }, 2: { frames: 10, move: null } },
      cues: [{ i: 0, start: 1.0, end: 1.5 }],
    };
    const levels = [40, 120, 200];
    const asked: number[] = [];
    const sources = {
      plate: async (seg: number) => {
        asked.push(seg);
        return new Uint8Array(bytes).fill(levels[seg]);
      },
      cue: async () => toPlanes(new Uint8Array(w * 2 * 4).fill(255), w, 2, 0),
    };
    const frames: number[][] = [];
    let pending = Buffer.alloc(0);
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= bytes) {
          frames.push([pending[w * 8 + 5], pending[5]]);
          pending = pending.subarray(bytes);
        }
        cb();
      },
    });
    await writeFrames(part, sources, out);
    expect(frames).toHaveLength(32);
    expect(asked).toEqual([0, 1, 2]);
    const mid = frames.map((f) => f[0]);
    expect(mid.slice(0, 6)).toEqual([40, 40, 40, 40, 40, 40]);
    // the fade: the next picture at 0, 1/4, 2/4, 3/4
    expect(mid.slice(6, 10)).toEqual([40, 60, 80, 100]);
    expect(new Set(mid.slice(10, 22))).toEqual(new Set([120]));
    expect(mid.slice(22, 26)).toEqual([120, 140, 160, 180]);
    expect(mid.slice(26)).toEqual([200, 200, 200, 200, 200, 200]);
    // the cue (opaque white on the top rows) on frames 10-14 (1.0 s to 1.5 s), and only there
    const top = frames.map((f) => f[1]);
    expect(top.map((v, k) => (v === 235 ? k : -1)).filter((k) => k >= 0)).toEqual([10, 11, 12, 13, 14]);
  });
});
