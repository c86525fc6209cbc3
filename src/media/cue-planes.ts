import sharp from 'sharp';
import { type CuePlanes, cueStride } from './warp.js';

/**
 * A cue picture (the subtitles drawn by libass on a transparent band, src/media/render.ts) as BT.709
 * limited-range 4:2:0 planes with their alpha, ready to lay over frames. Each chroma sample is the
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
  // BT.709: Y' = 0.2126 R' + 0.7152 G' + 0.0722 B'; limited range 16-235 (luma), 16-240 (chroma)
  const yOf = (r: number, g: number, b: number) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < width; i++) {
      const p = (j * width + i) * 4;
      data[j * s + i] = Math.round(16 + (219 / 255) * yOf(rgba[p], rgba[p + 1], rgba[p + 2]));
      data[colours + j * s + i] = rgba[p + 3];
    }
  }
  for (let j = 0; j < rows / 2; j++) {
    for (let i = 0; i < width / 2; i++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const x = Math.min(width - 1, 2 * i + dx);
        const p = ((2 * j + dy) * width + x) * 4;
        const w = rgba[p + 3];
        r += rgba[p] * w;
        g += rgba[p + 1] * w;
        b += rgba[p + 2] * w;
        a += w;
      }
      const at = j * (s / 2) + i;
      if (a > 0) {
        [r, g, b] = [r / a, g / a, b / a];
        const yl = yOf(r, g, b);
        data[luma + at] = Math.round(128 + (224 / 255) * ((b - yl) / 1.8556));
        data[luma + chroma + at] = Math.round(128 + (224 / 255) * ((r - yl) / 1.5748));
      } else {
        data[luma + at] = 128;
        data[luma + chroma + at] = 128;
      }
      data[colours + luma + at] = Math.round(a / 4);
    }
  }
  return { y, rows, stride: s, data };
}
