import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

/**
 * Reading drawn text back as ink: a binary mask cropped to its bounding box, compared with HarfBuzz's own
 * rendering of the same string in the same font (hb-view from libharfbuzz-bin) by intersection over union.
 */

export interface Mask {
  w: number;
  h: number;
  on: Uint8Array;
}

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Ink of a picture (or a region of it): pixels darker (`dark` text) or lighter (`light` text) than halfway
 * between the region's background and its text (the 2nd and 98th percentiles of luminance).
 */
export async function inkOf(input: string | Buffer, text: 'dark' | 'light', region?: Region): Promise<Mask> {
  let img = sharp(input);
  if (region) {
    const meta = await sharp(input).metadata();
    const left = Math.max(0, region.left);
    const top = Math.max(0, region.top);
    img = img.extract({ left, top, width: Math.min(region.width, meta.width! - left), height: Math.min(region.height, meta.height! - top) });
  }
  const { data, info } = await img.flatten({ background: text === 'dark' ? '#ffffff' : '#000000' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  const luma = Array.from({ length: info.width * info.height }, (_, i) => data[i * info.channels]);
  const sorted = [...luma].sort((a, b) => a - b);
  const mid = (sorted[Math.floor(sorted.length * 0.02)] + sorted[Math.floor(sorted.length * 0.98)]) / 2;
  return crop(info.width, info.height, (x, y) => (text === 'dark' ? luma[y * info.width + x] < mid : luma[y * info.width + x] > mid));
}

/** Where the pixels lighter than `above` are (with a margin): finds small text on a large frame. */
export async function lightBox(input: string, above: number, margin = 6): Promise<Region> {
  const { data, info } = await sharp(input).greyscale().raw().toBuffer({ resolveWithObject: true });
  let [x0, y0, x1, y1] = [info.width, info.height, 0, 0];
  for (let y = 0; y < info.height; y++)
    for (let x = 0; x < info.width; x++)
      if (data[(y * info.width + x) * info.channels] > above) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  return { left: x0 - margin, top: y0 - margin, width: x1 - x0 + 1 + 2 * margin, height: y1 - y0 + 1 + 2 * margin };
}

function crop(w: number, h: number, at: (x: number, y: number) => boolean): Mask {
  let [x0, y0, x1, y1] = [w, h, -1, -1];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (at(x, y)) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  if (x1 < 0) return { w: 0, h: 0, on: new Uint8Array() };
  const mw = x1 - x0 + 1;
  const mh = y1 - y0 + 1;
  const on = new Uint8Array(mw * mh);
  for (let y = 0; y < mh; y++) for (let x = 0; x < mw; x++) on[y * mw + x] = at(x + x0, y + y0) ? 1 : 0;
  return { w: mw, h: mh, on };
}

/** The reference scaled onto the candidate's box (nearest pixel), then the best IoU over shifts of up to 2 px. */
export function similarity(candidate: Mask, reference: Mask): number {
  if (!candidate.w || !reference.w) return 0;
  const { w, h } = candidate;
  const ref = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= w || y >= h) return 0;
    return reference.on[Math.min(reference.h - 1, Math.floor((y * reference.h) / h)) * reference.w + Math.min(reference.w - 1, Math.floor((x * reference.w) / w))];
  };
  let best = 0;
  for (let dy = -2; dy <= 2; dy++)
    for (let dx = -2; dx <= 2; dx++) {
      let [both, either] = [0, 0];
      for (let y = -2; y < h + 2; y++)
        for (let x = -2; x < w + 2; x++) {
          const a = x >= 0 && y >= 0 && x < w && y < h ? candidate.on[y * w + x] : 0;
          const b = ref(x - dx, y - dy);
          both += a & b;
          either += a | b;
        }
      best = Math.max(best, both / either);
    }
  return best;
}

/** The font file (and face in a collection) fontconfig gives for a family. */
export function fontFile(family: string, bold = false): { file: string; index: number } {
  const out = execFileSync('fc-match', ['-f', '%{file}|%{index}', `${family}:weight=${bold ? 200 : 80}`], { encoding: 'utf8' });
  const [file, index] = out.split('|');
  return { file, index: Number(index) || 0 };
}

/** HarfBuzz's rendering of one line, black on white; `shaper: 'fallback'` maps code points to glyphs one by one (no shaping). */
export function hbView(text: string, font: { file: string; index: number }, size: number, shaper: 'ot' | 'fallback' = 'ot'): Buffer {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'la-hb-')), 'line.png');
  execFileSync('hb-view', [`--shapers=${shaper}`, `--face-index=${font.index}`, `--font-size=${Math.round(size)}`, '--margin=4', '-O', 'png', '-o', out, font.file, text]);
  const png = fs.readFileSync(out);
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return png;
}

/** Glyph ids HarfBuzz shapes the text to; 0 is .notdef (a tofu box). */
export function hbGlyphs(text: string, font: { file: string; index: number }): number[] {
  const out = execFileSync('hb-shape', [`--face-index=${font.index}`, '--no-glyph-names', '--no-positions', '--no-clusters', font.file, text], { encoding: 'utf8' });
  return out.trim().replace(/^\[|\]$/g, '').split('|').map(Number);
}
