import { describe, expect, it } from 'vitest';
import { videoEncoding, youtubeBitrate } from '../../src/media/encoding.js';
import { END_SPEED, type Move, ease, easeExpression, moveFilter, sceneMove, windowAt } from '../../src/media/motion.js';

/** Evaluates an ffmpeg expression (the functions our expressions use) with the given variables. */
function evalFfmpeg(expr: string, vars: Record<string, number>): number {
  const js = expr.replace(/\bif\(/g, 'iff(').replace(/\bin\b/g, 'IN');
  const names = Object.keys(vars).map((k) => (k === 'in' ? 'IN' : k));
  const fn = new Function('iff', 'lt', 'gt', 'sin', 'pow', ...names, `return (${js});`);
  return fn((c: number, a: number, b: number) => (c ? a : b), (a: number, b: number) => Number(a < b), (a: number, b: number) => Number(a > b), Math.sin, Math.pow, ...Object.values(vars));
}

const seeds = ['story-1', '3f2a9c1e-77b0-4c1a-9d1f-0a1b2c3d4e5f', 'x', 'another story'];

describe('Ken Burns move', () => {
  it('eases from a quarter of the cruising speed to a constant speed and back, reaching 0 and 1 exactly', () => {
    for (const ramp of [0.05, 0.1, 0.2]) {
      expect(ease(0, ramp)).toBe(0);
      expect(ease(1, ramp)).toBeCloseTo(1, 12);
      const dp = 1e-4;
      const speed = (p: number) => (ease(p + dp, ramp) - ease(p - dp, ramp)) / (2 * dp);
      const cruise = speed(0.5);
      // the same speed all through the middle, a quarter of it at each end, never zero, never faster
      for (let p = ramp + 0.01; p < 1 - ramp - 0.01; p += 0.01) expect(speed(p)).toBeCloseTo(cruise, 6);
      expect(speed(dp) / cruise).toBeCloseTo(END_SPEED, 2);
      expect(speed(1 - dp) / cruise).toBeCloseTo(END_SPEED, 2);
      for (let p = dp; p < 1 - dp; p += 0.001) {
        expect(speed(p)).toBeGreaterThan(END_SPEED * cruise * 0.99);
        expect(speed(p)).toBeLessThan(cruise * 1.0001);
      }
      // continuous where the ramps meet the cruise
      expect(ease(ramp + 1e-9, ramp)).toBeCloseTo(ease(ramp - 1e-9, ramp), 7);
      expect(ease(1 - ramp + 1e-9, ramp)).toBeCloseTo(ease(1 - ramp - 1e-9, ramp), 7);
      // and the ffmpeg expression is the same function
      for (let p = 0; p <= 1; p += 0.0125) expect(evalFfmpeg(easeExpression('p', ramp), { p })).toBeCloseTo(ease(p, ramp), 7);
    }
  });

  it('keeps the window inside the picture through every move, for any story and scene', () => {
    const outside: string[] = [];
    for (const seed of seeds) {
      for (let i = 0; i < 24; i++) {
        for (const seconds of [2, 6, 14, 40]) {
          const move = sceneMove(seed, i, seconds);
          for (const [w, h] of [[1920, 1080], [1080, 1920], [320, 180]]) {
            for (let e = 0; e <= 1; e += 0.005) {
              const win = windowAt(move, e, w, h);
              const inside = win.left >= -1e-9 && win.top >= -1e-9 && win.left + win.width <= w - 1 + 1e-9 && win.top + win.height <= h - 1 + 1e-9;
              // the picture's shape: the window is never stretched
              const shaped = Math.abs(win.width / win.height - (w - 1) / (h - 1)) < 1e-9;
              if (!inside || !shaped) outside.push(`${seed} scene ${i} ${seconds}s ${w}x${h} e=${e}: ${JSON.stringify(win)}`);
            }
          }
        }
      }
    }
    expect(outside).toEqual([]);
  });

  it('zooms and pans differently from scene to scene, the same way every time for one story', () => {
    const moves = Array.from({ length: 12 }, (_, i) => sceneMove('story-1', i, 14));
    expect(sceneMove('story-1', 3, 14)).toEqual(moves[3]);
    expect(sceneMove('story-2', 3, 14)).not.toEqual(moves[3]);
    const zoomIn = (m: Move) => m.to.zoom > m.from.zoom;
    moves.forEach((m, i) => {
      // a real zoom (at least 10% on a full-length scene) and a real pan
      expect(Math.max(m.from.zoom, m.to.zoom) / Math.min(m.from.zoom, m.to.zoom)).toBeGreaterThan(1.09);
      expect(Math.hypot(m.to.x - m.from.x, m.to.y - m.from.y)).toBeGreaterThan(0.02);
      if (i > 0) {
        expect(zoomIn(m)).not.toBe(zoomIn(moves[i - 1]));
        const dir = (x: Move) => Math.atan2(x.to.y - x.from.y, x.to.x - x.from.x);
        const turn = Math.abs(((dir(m) - dir(moves[i - 1]) + 3 * Math.PI) % (2 * Math.PI)) - Math.PI);
        expect(turn).toBeGreaterThan(0.5);
      }
    });
    // which comes first, zooming in or out, depends on the story
    const firsts = new Set(Array.from({ length: 16 }, (_, k) => zoomIn(sceneMove(`story-${k}`, 0, 14))));
    expect(firsts.size).toBe(2);
    // a short scene moves less rather than faster
    const short = sceneMove('story-1', 0, 2);
    expect(Math.abs(short.to.zoom - short.from.zoom)).toBeLessThan(Math.abs(moves[0].to.zoom - moves[0].from.zoom) / 2);
  });

  it('sends the output corners to the window corners on every frame of every piece', () => {
    const move = sceneMove('story-1', 5, 6);
    const frames = 180;
    const filter = moveFilter(move, 1920, 1080, frames, 40);
    expect(filter).toMatch(/^perspective=.*:eval=frame$/);
    const corner = (key: string) => new RegExp(`${key}='([^']*)'`).exec(filter)![1];
    for (const frame of [0, 1, 57, 139]) {
      const win = windowAt(move, ease((40 + frame) / (frames - 1), move.ramp), 1920, 1080);
      const at = (key: string) => evalFfmpeg(corner(key)!, { in: frame + 1 });
      expect(at('x0')).toBeCloseTo(win.left, 4);
      expect(at('y0')).toBeCloseTo(win.top, 4);
      expect(at('x3')).toBeCloseTo(win.left + win.width, 4);
      expect(at('y3')).toBeCloseTo(win.top + win.height, 4);
      expect(at('x1')).toBeCloseTo(at('x3'), 9);
      expect(at('y2')).toBeCloseTo(at('y3'), 9);
    }
  });
});

describe('video encoding', () => {
  it("follows YouTube: closed half-second GOPs, 2 B-frames, BT.709, YouTube's bitrate table", () => {
    const yt = videoEncoding('youtube', 'veryfast', 1920, 1080, 30);
    const opt = (list: string[], key: string) => list[list.indexOf(key) + 1];
    expect(opt(yt, '-g')).toBe('15');
    expect(opt(yt, '-keyint_min')).toBe('15');
    expect(opt(yt, '-sc_threshold')).toBe('0');
    expect(opt(yt, '-bf')).toBe('2');
    expect(opt(yt, '-flags')).toBe('+cgop');
    expect(opt(yt, '-b:v')).toBe('8000000');
    for (const key of ['-color_primaries', '-color_trc', '-colorspace']) expect(opt(yt, key)).toBe('bt709');
    expect(opt(yt, '-color_range')).toBe('tv');
    // YouTube's table: 1080p 8, 720p 5, 360p 1 Mbps; a Short as 1080p; 1.5x at 60 fps
    expect(youtubeBitrate(1080, 1920, 30)).toBe(8_000_000);
    expect(youtubeBitrate(1920, 1080, 60)).toBe(12_000_000);
    expect(youtubeBitrate(1280, 720, 30)).toBe(5_000_000);
    expect(youtubeBitrate(640, 360, 25)).toBe(1_000_000);
    expect(youtubeBitrate(3840, 2160, 30)).toBe(40_000_000);
    expect(opt(videoEncoding('youtube', 'veryfast', 1920, 1080, 25), '-g')).toBe('13');
    const draft = videoEncoding('draft', 'veryfast', 1920, 1080, 30);
    expect(opt(draft, '-crf')).toBe('23');
    expect(draft).not.toContain('-b:v');
    expect(opt(draft, '-colorspace')).toBe('bt709');
  });
});
