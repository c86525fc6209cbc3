import sharp from 'sharp';

/**
 * The picture fitted to the frame, decoded and converted once per part (src/media/frames.ts moves it): a
 * picture of about the frame's shape (within 12%) fills it, cropped at most that much; any other (a
 * portrait, a panorama) is shown whole, centred over a blurred, darkened fill of itself. libvips (sharp)
 * does the fitting in a few tens of milliseconds; the result is converted to BT.709 limited-range 4:2:0,
 * as the encoding is tagged.
 */
export async function plateFrame(file: string, w: number, h: number): Promise<Uint8Array> {
  const meta = await sharp(file).metadata();
  const [iw, ih] = [meta.width ?? 0, meta.height ?? 0];
  if (!(iw > 0 && ih > 0)) throw new Error(`cannot read the size of the picture ${file}`);
  const cover = Math.abs(Math.log(((iw / ih) * h) / w)) < 0.12;
  const scale = cover ? Math.max(w / iw, h / ih) : Math.min(w / iw, h / ih);
  const fw = Math.max(2, 2 * Math.trunc((iw * scale) / 2));
  const fh = Math.max(2, 2 * Math.trunc((ih * scale) / 2));
  let frame: Buffer;
  if (cover && !meta.hasAlpha) {
    frame = await sharp(file).resize(fw, fh, { fit: 'fill' }).extract({ left: (fw - w) >> 1, top: (fh - h) >> 1, width: w, height: h }).removeAlpha().toColourspace('srgb').raw().toBuffer();
  } else {
    const sw = Math.max(2, Math.round(w / 8));
    const sh = Math.max(2, Math.round(h / 8));
    const small = await sharp(file).resize(sw, sh, { fit: 'cover' }).flatten().blur(3).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const fill = await sharp(small.data, { raw: small.info }).resize(w, h, { fit: 'fill' }).linear(0.45, 0).raw().toBuffer({ resolveWithObject: true });
    const fitted = await sharp(file).resize(fw, fh, { fit: 'fill' }).toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    frame = await sharp(fill.data, { raw: fill.info })
      .composite([{ input: fitted.data, raw: fitted.info, left: (w - fw) >> 1, top: (h - fh) >> 1 }])
      .removeAlpha()
      .raw()
      .toBuffer();
  }
  return toYuv420(frame, w, h);
}

/**
 * BT.709 limited range from sRGB values (0-255): Y' = 0.2126 R' + 0.7152 G' + 0.0722 B' scaled to 16-235,
 * Cb and Cr scaled to 16-240, each plus a half so that `| 0` rounds.
 */
const [KR, KG, KB] = [0.2126, 0.7152, 0.0722];
export const lumaOf = (r: number, g: number, b: number) => 16.5 + (219 / 255) * (KR * r + KG * g + KB * b);
export const cbOf = (r: number, g: number, b: number) => 128.5 + (224 / 255 / 1.8556) * (b - (KR * r + KG * g + KB * b));
export const crOf = (r: number, g: number, b: number) => 128.5 + (224 / 255 / 1.5748) * (r - (KR * r + KG * g + KB * b));

/** Packed sRGB (3 bytes a pixel) to BT.709 limited-range 4:2:0 planes (chroma: the mean of each 2x2). */
export function toYuv420(rgb: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array((w * h * 3) / 2);
  const cw = w / 2;
  const u0 = w * h;
  const v0 = u0 + cw * (h / 2);
  for (let i = 0, p = 0; i < w * h; i++, p += 3) out[i] = lumaOf(rgb[p], rgb[p + 1], rgb[p + 2]) | 0;
  for (let y = 0; y < h; y += 2) {
    for (let x = 0; x < w; x += 2) {
      const a = (y * w + x) * 3;
      const b = a + w * 3;
      const r = (rgb[a] + rgb[a + 3] + rgb[b] + rgb[b + 3]) / 4;
      const g = (rgb[a + 1] + rgb[a + 4] + rgb[b + 1] + rgb[b + 4]) / 4;
      const bl = (rgb[a + 2] + rgb[a + 5] + rgb[b + 2] + rgb[b + 5]) / 4;
      const at = (y >> 1) * cw + (x >> 1);
      out[u0 + at] = cbOf(r, g, bl) | 0;
      out[v0 + at] = crOf(r, g, bl) | 0;
    }
  }
  return out;
}
