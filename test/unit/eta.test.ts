import { describe, expect, it } from 'vitest';
import { etaMeter, formatLeft, formatSpeed, renderProgress, withEta } from '../../src/media/eta.js';

/** A clock the test moves by hand (milliseconds, as Date.now and performance.now count). */
function fakeClock() {
  let ms = 1_000_000;
  return { now: () => ms, advance: (seconds: number) => (ms += seconds * 1000) };
}

/** Feeds a meter one sample a second at `speed` seconds of video per second, from `done`, for `seconds`. */
function run(meter: (done: number) => ReturnType<ReturnType<typeof etaMeter>>, clock: ReturnType<typeof fakeClock>, from: number, speed: number, seconds: number) {
  let done = from;
  let last = meter(done);
  for (let i = 0; i < seconds; i++) {
    clock.advance(1);
    done += speed;
    last = meter(done);
  }
  return { done, last };
}

describe('the render ETA', () => {
  it('gives the time left from a steady speed', () => {
    const clock = fakeClock();
    const meter = etaMeter(1800, clock.now);
    meter(0);
    clock.advance(60);
    const e = meter(120); // 2x realtime for a minute
    expect(e.fraction).toBeCloseTo(120 / 1800);
    expect(e.elapsed).toBe(60);
    expect(e.speed).toBeCloseTo(2);
    expect(e.left).toBeCloseTo((1800 - 120) / 2);
  });

  it('says nothing before 3% of the work and 3 s of measuring', () => {
    const clock = fakeClock();
    const meter = etaMeter(1000, clock.now);
    meter(0);
    clock.advance(10);
    expect(meter(20)).toEqual({ fraction: 0.02, elapsed: 10 }); // 2%
    const fast = etaMeter(1000, clock.now);
    fast(0);
    clock.advance(2);
    expect(fast(500)).toEqual({ fraction: 0.5, elapsed: 2 }); // half done, but measured over 2 s
    clock.advance(1);
    expect(fast(750).left).toBeCloseTo(1);
  });

  it('measures from the first report, so a slow start-up does not read as a slow render', () => {
    const clock = fakeClock();
    const meter = etaMeter(1000, clock.now);
    clock.advance(20); // ffmpeg opening its inputs
    meter(0);
    clock.advance(10);
    const e = meter(100);
    expect(e).toEqual({ fraction: 0.1, elapsed: 30, speed: 10, left: 90 });
    clock.advance(90);
    expect(meter(1000)).toEqual({ fraction: 1, elapsed: 120, speed: 1000 / 120 }); // the whole run's, start-up included
  });

  it('follows a change of speed within the window, and one slow moment does not swing it', () => {
    const clock = fakeClock();
    const meter = etaMeter(3600, clock.now, { windowSeconds: 30 });
    const steady = run(meter, clock, 0, 4, 120);
    expect(steady.last.speed).toBeCloseTo(4);
    // the render slows to 1x: within the window the estimate has moved most of the way, after it all the way
    const half = run(meter, clock, steady.done, 1, 15);
    expect(half.last.speed).toBeCloseTo(2.5);
    const after = run(meter, clock, half.done, 1, 16);
    expect(after.last.speed).toBeCloseTo(1);
    expect(after.last.left).toBeCloseTo(3600 - after.done);
    // one stalled second among steady ones moves the speed by a thirtieth, not to zero
    const stall = run(meter, clock, after.done, 0, 1);
    expect(stall.last.speed).toBeCloseTo(29 / 30);
  });

  it('gives no time left while nothing moves, and the whole run\'s speed once done', () => {
    const clock = fakeClock();
    const meter = etaMeter(100, clock.now, { windowSeconds: 10 });
    const moved = run(meter, clock, 0, 2, 10);
    const stuck = run(meter, clock, moved.done, 0, 12);
    expect(stuck.last.speed).toBe(0);
    expect(stuck.last.left).toBeUndefined();
    clock.advance(18);
    expect(meter(100)).toEqual({ fraction: 1, elapsed: 40, speed: 2.5 });
  });

  it('reads like a person would say it', () => {
    expect([3, 37, 57, 61, 240, 539, 3599, 3600, 3900, 7200].map(formatLeft)).toEqual([
      'about 5 s left', 'about 35 s left', 'about 55 s left', 'about 1 min left', 'about 4 min left',
      'about 9 min left', 'about 1 h left', 'about 1 h left', 'about 1 h 5 min left', 'about 2 h left',
    ]);
    expect([0.42, 2.345, 9.96, 14.4].map(formatSpeed)).toEqual(['0.4x realtime', '2.3x realtime', '10x realtime', '14x realtime']);
    expect(withEta('35% of 1800.0s', { fraction: 0.35, elapsed: 300, speed: 2.1, left: 540 })).toBe('35% of 1800.0s, 2.1x realtime, about 9 min left');
    expect(withEta('part 1 of 3: 2.0 of 60.0s', { fraction: 0.03, elapsed: 1 })).toBe('part 1 of 3: 2.0 of 60.0s');
  });

  it('prints the render line in 5% steps with the speed and time left', () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const progress = renderProgress(200, clock.now, (line) => lines.push(line));
    for (let done = 0; done <= 200; done += 2) {
      progress(done);
      clock.advance(1);
    }
    expect(lines).toHaveLength(21);
    expect(lines.slice(0, 3)).toEqual(['0% of 200.0s', '5% of 200.0s, 2.0x realtime, about 2 min left', '10% of 200.0s, 2.0x realtime, about 2 min left']);
    expect(lines[7]).toBe('35% of 200.0s, 2.0x realtime, about 1 min left');
    expect(lines[16]).toBe('80% of 200.0s, 2.0x realtime, about 20 s left');
    expect(lines[20]).toBe('100% of 200.0s, 2.0x realtime');
    // the stage's closing call once the plan has run: nothing new when ffmpeg already reported the end
    progress(200);
    expect(lines).toHaveLength(21);
  });
});
