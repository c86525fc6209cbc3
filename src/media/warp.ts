import { WARP_WASM } from './warp-wasm.js';
import type { Window } from './motion.js';

/**
 * The picture's per-frame work on raw BT.709 4:2:0 frames (the planes Y, U, V one after another), done by
 * the SIMD module built from assembly/warp.ts, in memory laid out once per part: two plates (pictures
 * fitted to the frame), three frames (two the encoder reads in turn, one for the picture fading in), one
 * cue picture, and the resampler's scratch. The memory never grows while frames are written from it.
 */

interface Exports {
  memory: WebAssembly.Memory;
  tableBytes(dw: number): number;
  warpPlane(src: number, sw: number, sh: number, dst: number, dw: number, dh: number, tmp: number, tab: number, x0: number, sx: number, y0: number, sy: number): void;
  fade(a: number, b: number, dst: number, n: number, t: number): void;
  overlay(dst: number, stride: number, pic: number, alpha: number, w: number, h: number): void;
}

let compiled: WebAssembly.Module | null = null;

/** A cue picture as planes over whole rows: Y and its alpha `stride` wide, U, V and their alpha half that, `rows` tall. */
export interface CuePlanes {
  y: number;
  rows: number;
  stride: number;
  /** Y, U, V, then the alpha of Y and of U/V: stride*rows*1.5 + stride*rows*1.5 bytes */
  data: Uint8Array;
}

const PAD = 64;
const up16 = (n: number) => (n + 15) & ~15;
/** A cue picture's row length: its chroma rows (half) are whole 16-byte chunks too. */
export const cueStride = (width: number) => (width + 31) & ~31;

export class FramePainter {
  readonly frameBytes: number;
  private readonly e: Exports;
  private readonly plates: number[];
  private readonly frames: number[];
  private readonly cue: number;
  private readonly tmp: number;
  private readonly tab: number;

  constructor(readonly width: number, readonly height: number) {
    if (width % 2 || height % 2 || width < 16 || height < 16) throw new Error(`frames must be even and at least 16 pixels: ${width}x${height}`);
    compiled ??= new WebAssembly.Module(Buffer.from(WARP_WASM, 'base64'));
    this.e = new WebAssembly.Instance(compiled, { env: { abort: () => { throw new Error('warp: abort'); } } }).exports as unknown as Exports;
    this.frameBytes = (width * height * 3) / 2;
    const slot = up16(this.frameBytes + PAD);
    let at = 65536;
    const take = (bytes: number) => ((at += up16(bytes)) - up16(bytes));
    this.plates = [take(slot), take(slot)];
    this.frames = [take(slot), take(slot), take(slot)];
    this.cue = take(cueStride(width) * height * 3 + PAD);
    this.tmp = take(up16(width) * 2 * (height + 2) + PAD);
    this.tab = take(this.e.tableBytes(width) + PAD);
    const pages = Math.ceil(at / 65536) - this.e.memory.buffer.byteLength / 65536;
    if (pages > 0) this.e.memory.grow(pages);
  }

  private get u8(): Uint8Array {
    return new Uint8Array(this.e.memory.buffer);
  }

  /** Puts a plate (one raw frame) into plate slot `p`. */
  loadPlate(p: number, frame: Uint8Array): void {
    if (frame.length !== this.frameBytes) throw new Error(`a plate is ${this.frameBytes} bytes, got ${frame.length}`);
    this.u8.set(frame, this.plates[p]);
  }

  /** Frame `f` = plate `p` as it is (a card). */
  copy(p: number, f: number): void {
    this.u8.copyWithin(this.frames[f], this.plates[p], this.plates[p] + this.frameBytes);
  }

  /**
   * Frame `f` = the `win` of plate `p` filling the frame: output pixel (X, Y) shows the picture at
   * (left + X * width / w, top + Y * height / h), as the perspective filter of earlier renders did.
   */
  warp(p: number, win: Window, f: number): void {
    const { width: w, height: h } = this;
    const sx = win.width / w;
    const sy = win.height / h;
    const src = this.plates[p];
    const dst = this.frames[f];
    this.e.warpPlane(src, w, h, dst, w, h, this.tmp, this.tab, win.left, sx, win.top, sy);
    // chroma: sited on even columns (left) and between rows (centre), as 4:2:0 in H.264 is
    const cw = w / 2;
    const ch = h / 2;
    const y0 = win.top / 2 + 0.25 * (sy - 1);
    for (const plane of [w * h, w * h + cw * ch]) {
      this.e.warpPlane(src + plane, cw, ch, dst + plane, cw, ch, this.tmp, this.tab, win.left / 2, sx, y0, sy);
    }
  }

  /** Frame `out` = frame `a` with frame `b` laid over it at opacity t (0..1). */
  fade(a: number, b: number, out: number, t: number): void {
    this.e.fade(this.frames[a], this.frames[b], this.frames[out], this.frameBytes, Math.round(Math.min(1, Math.max(0, t)) * 256));
  }

  /** Puts a cue picture into the cue slot. */
  loadCue(cue: CuePlanes): void {
    if (cue.stride !== cueStride(this.width) || cue.y + cue.rows > this.height) throw new Error('a cue picture must be as wide as the frame and inside it');
    this.u8.set(cue.data, this.cue);
  }

  /** Lays the loaded cue picture (`cue`, as last loaded) over frame `f`. */
  overlay(cue: CuePlanes, f: number): void {
    const { width: w, height: h } = this;
    const s = cue.stride;
    const lumaBytes = s * cue.rows;
    const chromaBytes = (s / 2) * (cue.rows / 2);
    const colours = lumaBytes + 2 * chromaBytes;
    const dst = this.frames[f];
    this.e.overlay(dst + cue.y * w, w, this.cue, this.cue + colours, s, cue.rows);
    const cy = cue.y / 2;
    for (const [k, plane] of [w * h, w * h + (w / 2) * (h / 2)].entries()) {
      this.e.overlay(dst + plane + cy * (w / 2), w / 2, this.cue + lumaBytes + k * chromaBytes, this.cue + colours + lumaBytes, s / 2, cue.rows / 2);
    }
  }

  /** The bytes of frame `f` (a view of this painter's memory: valid until the frame is painted again). */
  view(f: number): Uint8Array {
    return new Uint8Array(this.e.memory.buffer, this.frames[f], this.frameBytes);
  }
}
