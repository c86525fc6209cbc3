/**
 * The picture's per-frame work, in WebAssembly with 128-bit SIMD (compiled by AssemblyScript into
 * src/media/warp-wasm.ts: `npm run build:wasm`). Every function works on 8-bit planes the caller has laid
 * out in this module's memory (src/media/warp.ts) and reads up to 32 bytes past a plane's end, so planes
 * are padded.
 *
 * warpPlane resamples a plane bilinearly at sub-pixel positions x0 + X*sx, y0 + Y*sy (an axis-aligned
 * zoom and pan: the Ken Burns move), in two separable passes. Because a move never shrinks the picture
 * (sx, sy <= 1), the 16 outputs of a chunk read at most 17 neighbouring source bytes: two loads and two
 * byte shuffles fetch every left and right neighbour at once, and the weights are the same on every row.
 */

/** Bytes of column tables warpPlane needs for an output `dw` wide. */
export function tableBytes(dw: i32): i32 {
  const chunks = (dw + 15) >> 4;
  return dw * 8 + chunks * (4 + 16 + 32 + 32 + 4);
}

@inline function lerpRow(a: usize, b: usize, out: usize, n: i32, g: i32): void {
  // out = (a*(256-g) + b*g + 128) >> 8 for n bytes (n a multiple of 16 or the row padded)
  const wa = i16x8.splat(<i16>(256 - g));
  const wb = i16x8.splat(<i16>g);
  const half = i16x8.splat(128);
  for (let i = 0; i < n; i += 16) {
    const va = v128.load(a + i);
    const vb = v128.load(b + i);
    const lo = i16x8.shr_u(i16x8.add(i16x8.add(i16x8.mul(i16x8.extend_low_i8x16_u(va), wa), i16x8.mul(i16x8.extend_low_i8x16_u(vb), wb)), half), 8);
    const hi = i16x8.shr_u(i16x8.add(i16x8.add(i16x8.mul(i16x8.extend_high_i8x16_u(va), wa), i16x8.mul(i16x8.extend_high_i8x16_u(vb), wb)), half), 8);
    v128.store(out + i, i8x16.narrow_i16x8_u(lo, hi));
  }
}

@inline function clampTo(p: f64, max: f64): f64 {
  return p < 0 ? 0 : p > max ? max : p;
}

/**
 * Resamples the plane `src` (sw x sh, rows sw bytes apart) into `dst` (dw x dh): output pixel (X, Y) is
 * the bilinear sample at (x0 + X*sx, y0 + Y*sy), positions clamped to the plane. `tmp` holds the
 * horizontally resampled rows (16-bit, 2 * dw rounded up to 32 bytes each, as many rows as the window spans), `tab`
 * tableBytes(dw) bytes.
 */
export function warpPlane(src: usize, sw: i32, sh: i32, dst: usize, dw: i32, dh: i32, tmp: usize, tab: usize, x0: f64, sx: f64, y0: f64, sy: f64): void {
  const colI = tab;
  const colF = tab + (<usize>dw << 2);
  const chunks = (dw + 15) >> 4;
  const cBase = tab + (<usize>dw << 3);
  const cIdx = cBase + (<usize>chunks << 2);
  const cWa = cIdx + (<usize>chunks << 4);
  const cWb = cWa + (<usize>chunks << 5);
  const cOk = cWb + (<usize>chunks << 5);
  const maxX = <f64>(sw - 1);
  for (let x = 0; x < dw; x++) {
    let pos = x0 + <f64>x * sx;
    pos = pos < 0 ? 0 : pos > maxX ? maxX : pos;
    let i = <i32>Math.floor(pos);
    if (i > sw - 2) i = sw - 2;
    if (i < 0) i = 0;
    let f = <i32>Math.round((pos - <f64>i) * 256);
    if (f > 256) f = 256;
    store<i32>(colI + (<usize>x << 2), i);
    store<i32>(colF + (<usize>x << 2), f);
  }
  // chunk c covers outputs [start, start + 16); the last one ends at dw (it may overlap the one before)
  for (let c = 0; c < chunks; c++) {
    let start = c << 4;
    if (start + 16 > dw) start = dw - 16;
    if (start < 0) start = 0;
    const base = load<i32>(colI + (<usize>start << 2));
    const last = start + 15 < dw ? start + 15 : dw - 1;
    const ok = dw >= 16 && load<i32>(colI + (<usize>last << 2)) - base <= 15;
    store<i32>(cBase + (<usize>c << 2), base);
    store<i32>(cOk + (<usize>c << 2), ok ? 1 : 0);
    for (let k = 0; k < 16; k++) {
      const x = start + k < dw ? start + k : dw - 1;
      const d = load<i32>(colI + (<usize>x << 2)) - base;
      const f = load<i32>(colF + (<usize>x << 2));
      store<u8>(cIdx + (<usize>c << 4) + k, <u8>(d < 0 ? 0 : d > 15 ? 15 : d));
      store<u16>(cWa + (<usize>c << 5) + (<usize>k << 1), <u16>(256 - f));
      store<u16>(cWb + (<usize>c << 5) + (<usize>k << 1), <u16>f);
    }
  }
  const maxY = <f64>(sh - 1);
  let jlo = <i32>Math.floor(clampTo(y0, maxY));
  if (jlo > sh - 2) jlo = sh - 2;
  if (jlo < 0) jlo = 0;
  let jhi = <i32>Math.floor(clampTo(y0 + <f64>(dh - 1) * sy, maxY)) + 1;
  if (jhi > sh - 1) jhi = sh - 1;
  // rows of 16-bit samples (8 bits and 4 of fraction), so only the last pass rounds to 8 bits
  const stride = <usize>((dw + 15) & ~15) << 1;
  const eighth = i16x8.splat(8);
  for (let j = jlo; j <= jhi; j++) {
    const row = src + <usize>j * <usize>sw;
    const out = tmp + <usize>(j - jlo) * stride;
    for (let c = 0; c < chunks; c++) {
      let start = c << 4;
      if (start + 16 > dw) start = dw - 16;
      if (start < 0) start = 0;
      if (load<i32>(cOk + (<usize>c << 2))) {
        const p = row + <usize>load<i32>(cBase + (<usize>c << 2));
        const idx = v128.load(cIdx + (<usize>c << 4));
        const a = i8x16.swizzle(v128.load(p), idx);
        const b = i8x16.swizzle(v128.load(p + 1), idx);
        const wa0 = v128.load(cWa + (<usize>c << 5));
        const wa1 = v128.load(cWa + (<usize>c << 5) + 16);
        const wb0 = v128.load(cWb + (<usize>c << 5));
        const wb1 = v128.load(cWb + (<usize>c << 5) + 16);
        const lo = i16x8.shr_u(i16x8.add(i16x8.add(i16x8.mul(i16x8.extend_low_i8x16_u(a), wa0), i16x8.mul(i16x8.extend_low_i8x16_u(b), wb0)), eighth), 4);
        const hi = i16x8.shr_u(i16x8.add(i16x8.add(i16x8.mul(i16x8.extend_high_i8x16_u(a), wa1), i16x8.mul(i16x8.extend_high_i8x16_u(b), wb1)), eighth), 4);
        v128.store(out + (<usize>start << 1), lo);
        v128.store(out + (<usize>start << 1) + 16, hi);
      } else {
        const end = start + 16 < dw ? start + 16 : dw;
        for (let x = start; x < end; x++) {
          const i = load<i32>(colI + (<usize>x << 2));
          const f = load<i32>(colF + (<usize>x << 2));
          const va = <i32>load<u8>(row + <usize>i);
          const vb = <i32>load<u8>(row + <usize>i + 1);
          store<u16>(out + (<usize>x << 1), <u16>((va * (256 - f) + vb * f + 8) >> 4));
        }
      }
    }
  }
  for (let y = 0; y < dh; y++) {
    const pos = clampTo(y0 + <f64>y * sy, maxY);
    let j = <i32>Math.floor(pos);
    if (j > sh - 2) j = sh - 2;
    if (j < 0) j = 0;
    let g = <i32>Math.round((pos - <f64>j) * 256);
    if (g > 256) g = 256;
    const a = tmp + <usize>(j - jlo) * stride;
    const out = dst + <usize>y * <usize>dw;
    // g = 256 is the next row, weight 0
    const ra = g == 256 ? a + stride : a;
    const w = g == 256 ? 0 : g;
    lerpWide(ra, ra + stride, out, dw & ~15, w);
    if (dw & 15) lerpWide(ra + (<usize>(dw - 16) << 1), ra + stride + (<usize>(dw - 16) << 1), out + <usize>(dw - 16), 16, w);
  }
}

/** out = round((a + (b - a) * g / 256) / 16) for n 16-bit samples of 8.4 fixed point (n a multiple of 16). */
@inline function lerpWide(a: usize, b: usize, out: usize, n: i32, g: i32): void {
  const q = i16x8.splat(<i16>(g << 7));
  const eighth = i16x8.splat(8);
  for (let i = 0; i < n; i += 16) {
    const a0 = v128.load(a + (<usize>i << 1));
    const a1 = v128.load(a + (<usize>i << 1) + 16);
    const v0 = i16x8.add(a0, i16x8.q15mulr_sat_s(i16x8.sub(v128.load(b + (<usize>i << 1)), a0), q));
    const v1 = i16x8.add(a1, i16x8.q15mulr_sat_s(i16x8.sub(v128.load(b + (<usize>i << 1) + 16), a1), q));
    v128.store(out + i, i8x16.narrow_i16x8_u(i16x8.shr_u(i16x8.add(v0, eighth), 4), i16x8.shr_u(i16x8.add(v1, eighth), 4)));
  }
}

/** dst = a faded into b by t/256 (n bytes; a multiple of 16 or padded). */
export function fade(a: usize, b: usize, dst: usize, n: i32, t: i32): void {
  lerpRow(a, b, dst, n, t);
}

/**
 * Lays a picture with its alpha over `dst` (a plane `stride` bytes wide): `pic` and `alpha` are w x h,
 * w bytes a row; alpha 255 is opaque. w a multiple of 16 (the caller pads).
 */
export function overlay(dst: usize, stride: i32, pic: usize, alpha: usize, w: i32, h: i32): void {
  const full = i16x8.splat(256);
  const half = i16x8.splat(128);
  for (let y = 0; y < h; y++) {
    const d = dst + <usize>y * <usize>stride;
    const p = pic + <usize>y * <usize>w;
    const al = alpha + <usize>y * <usize>w;
    for (let i = 0; i < w; i += 16) {
      const va = v128.load(al + i);
      if (!v128.any_true(va)) continue;
      const a0 = i16x8.extend_low_i8x16_u(va);
      const a1 = i16x8.extend_high_i8x16_u(va);
      // 0..255 to 0..256, so opaque is exact
      const w0 = i16x8.add(a0, i16x8.shr_u(a0, 7));
      const w1 = i16x8.add(a1, i16x8.shr_u(a1, 7));
      const vd = v128.load(d + i);
      const vp = v128.load(p + i);
      const lo = i16x8.shr_u(i16x8.add(i16x8.add(i16x8.mul(i16x8.extend_low_i8x16_u(vd), i16x8.sub(full, w0)), i16x8.mul(i16x8.extend_low_i8x16_u(vp), w0)), half), 8);
      const hi = i16x8.shr_u(i16x8.add(i16x8.add(i16x8.mul(i16x8.extend_high_i8x16_u(vd), i16x8.sub(full, w1)), i16x8.mul(i16x8.extend_high_i8x16_u(vp), w1)), half), 8);
      v128.store(d + i, i8x16.narrow_i16x8_u(lo, hi));
    }
  }
}
