import sharp from 'sharp';
import { cbOf, crOf, lumaOf } from './plate.js';
import { type CuePlanes, cueStride } from './warp.js';

/**
 * A cue picture (the subtitles drawn by libass on a transparent band, src/media/render.ts) as BT.709
 * limited-range 4:2:0 planes (the conversion of src/media/plate.ts) with their alpha, ready to lay over frames. Each chroma sample is the
 * alpha-weighted colour of its four pixels, so glyph edges take no colour from the transparent canvas.
 */
export async function cuePlanes(file: string, width: number, y: number): Promise<CuePlanes> {
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.channels !== 4 || info.height % 2 || y % 2) throw new Error(`cue picture ${file} is ${info.width}x${info.height}, not ${width} wide with an even height at an even row`);
  return toPlanes(data, width, info.height, y);
}

/** RGBA (straight alpha) rows to the planes; pure, for tests. */
export function toPlanes(rgba: Uint8Array, width: number, rows: number, y: number): CuePlanes {
  const s = cueStride(width);
  const luma = s * rows;
  const chroma = (s / 2) * (rows / 2);
  const colours = luma + 2 * chroma;
  const data = new Uint8Array(2 * colours);
  for (let j = 0; j < rows; j++) {
    for (let i = 0, p = j * width * 4, o = j * s; i < width; i++, p += 4, o++) {
      const a = rgba[p + 3];
      if (a === 0) continue;
      data[o] = lumaOf(rgba[p], rgba[p + 1], rgba[p + 2]) | 0;
      data[colours + o] = a;
    }
  }
  const row = width * 4;
  for (let j = 0; j < rows / 2; j++) {
    for (let i = 0; i < width / 2; i++) {
      const p = 2 * j * row + 8 * i;
      const q = p + (2 * i + 1 < width ? 4 : 0);
      const [a0, a1, a2, a3] = [rgba[p + 3], rgba[q + 3], rgba[p + row + 3], rgba[q + row + 3]];
      const a = a0 + a1 + a2 + a3;
      const at = luma + j * (s / 2) + i;
      if (a === 0) {
        data[at] = 128;
        data[at + chroma] = 128;
        continue;
      }
      const r = (rgba[p] * a0 + rgba[q] * a1 + rgba[p + row] * a2 + rgba[q + row] * a3) / a;
      const g = (rgba[p + 1] * a0 + rgba[q + 1] * a1 + rgba[p + row + 1] * a2 + rgba[q + row + 1] * a3) / a;
      const b = (rgba[p + 2] * a0 + rgba[q + 2] * a1 + rgba[p + row + 2] * a2 + rgba[q + row + 2] * a3) / a;
      data[at] = cbOf(r, g, b) | 0;
      data[at + chroma] = crOf(r, g, b) | 0;
      data[colours + at] = (a + 2) >> 2;
    }
  }
  return { y, rows, stride: s, data };
}
