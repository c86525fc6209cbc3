/**
 * How long a render still needs, from its measured speed (pure: the clock is passed in). Speed is
 * seconds of video written per second of wall time, over the last `windowSeconds` (a sliding window,
 * so a render that slows down is followed within the window and one slow report moves little), and
 * from the first report on, so the start-up (ffmpeg opening its inputs, the captions sheet) does not
 * read as slowness; no estimate until enough work and time have passed for it to mean something.
 */

export interface EtaOptions {
  /** the speed is measured over this much wall time, in seconds (default 30) */
  windowSeconds?: number;
  /** no estimate before this fraction of the work is done (default 0.03) */
  minFraction?: number;
  /** no estimate before the speed is measured over this many seconds (default 3) */
  minSeconds?: number;
}

export interface Estimate {
  /** 0..1 */
  fraction: number;
  /** wall seconds since the meter started */
  elapsed: number;
  /** seconds of video per wall second (the realtime factor), 0 while nothing moves; over the whole run once done; absent while too early */
  speed?: number;
  /** wall seconds still needed; absent while too early or while nothing moves */
  left?: number;
}

interface Sample {
  at: number;
  done: number;
}

/** A meter for `total` seconds of video; feed it the seconds done, it answers with the estimate. `clock` is in milliseconds. */
export function etaMeter(total: number, clock: () => number, opts: EtaOptions = {}): (done: number) => Estimate {
  const window = (opts.windowSeconds ?? 30) * 1000;
  const minFraction = opts.minFraction ?? 0.03;
  const minMs = (opts.minSeconds ?? 3) * 1000;
  const started = clock();
  // samples[0] is the newest report at or before the window's start (the first report, at first)
  const samples: Sample[] = [];
  return (reported) => {
    const now = clock();
    const done = Math.min(Math.max(Number.isFinite(reported) ? reported : 0, 0), total);
    samples.push({ at: now, done });
    while (samples.length > 2 && samples[1].at <= now - window) samples.shift();
    const fraction = total > 0 ? done / total : 1;
    const elapsed = (now - started) / 1000;
    const estimate: Estimate = { fraction, elapsed };
    if (fraction >= 1) return elapsed * 1000 >= minMs ? { ...estimate, speed: done / elapsed } : estimate;
    const base = samples[0];
    if (fraction < minFraction || now - base.at < minMs) return estimate;
    const speed = (done - base.done) / ((now - base.at) / 1000);
    if (!(speed >= 0)) return estimate;
    return speed > 0 ? { ...estimate, speed, left: (total - done) / speed } : { ...estimate, speed };
  };
}

/** `about 40 s left`, `about 4 min left`, `about 1 h 5 min left`: rounded so it reads steadily. */
export function formatLeft(seconds: number): string {
  const fives = Math.max(5, Math.round(seconds / 5) * 5);
  if (fives < 60) return `about ${fives} s left`;
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return `about ${minutes} min left`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `about ${h} h${m ? ` ${m} min` : ''} left`;
}

/** `2.3x realtime`; `14x realtime` from ten up. */
export function formatSpeed(speed: number): string {
  return `${speed < 9.95 ? speed.toFixed(1) : Math.round(speed)}x realtime`;
}

/** A progress line with the speed and the time left added when they are known: `35% of 1800.0s, 2.1x realtime, about 9 min left`. */
export function withEta(line: string, estimate: Estimate): string {
  const extra = [estimate.speed === undefined ? '' : formatSpeed(estimate.speed), estimate.left === undefined ? '' : formatLeft(estimate.left)].filter(Boolean);
  return [line, ...extra].join(', ');
}

/**
 * Prints the render's progress lines to `print`, in 5% steps (enough to see it move, few enough for
 * plain-line output): nothing while the step is the same as last time.
 */
export function renderProgress(total: number, clock: () => number, print: (line: string) => void): (done: number) => void {
  const meter = etaMeter(total, clock);
  let lastPct = -1;
  return (done) => {
    const estimate = meter(done);
    const pct = Math.min(100, Math.floor(estimate.fraction * 20) * 5);
    if (pct !== lastPct) print(withEta(`${pct}% of ${total.toFixed(1)}s`, estimate));
    lastPct = pct;
  };
}
