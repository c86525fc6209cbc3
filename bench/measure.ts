/**
 * What a benchmark measures while `fn` runs: wall time, CPU (this process, which draws the frames, and its
 * finished children), peak memory summed over every ffmpeg it runs at once plus this process, and the
 * peak size of a work folder (the render's temporary files).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Measured {
  seconds: number;
  cpu: number;
  /** ffmpeg processes at once + this process, at the worst moment */
  peakMiB: number;
  ffmpegPeakMiB: number;
  /** largest size of the watched folder */
  diskMiB: number;
}

/** CPU seconds (user + system) of this process's finished children, from /proc/self/stat. */
function childCpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 16 and 17 of stat(5) (cutime, cstime), counted from the state field (3)
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

const rssMiB = (pid: number | 'self') => {
  const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return rss ? Number(rss[1]) / 1024 : 0;
};

/** Bytes of every file under dir (0 when it is gone). */
export function folderBytes(dir: string): number {
  let sum = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    try {
      sum += e.isDirectory() ? folderBytes(p) : e.isFile() ? fs.statSync(p).size : 0;
    } catch {
      /* removed meanwhile */
    }
  }
  return sum;
}

export async function measure<T>(fn: () => Promise<T>, watch?: string): Promise<Measured & { result: T }> {
  let peak = 0;
  let ffPeak = 0;
  let disk = 0;
  const sample = () => {
    let sum = 0;
    for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === process.pid && stat.includes('(ffmpeg)')) sum += rssMiB(Number(pid));
      } catch {
        /* exited meanwhile */
      }
    }
    ffPeak = Math.max(ffPeak, sum);
    peak = Math.max(peak, sum + rssMiB('self'));
  };
  const timer = setInterval(sample, 100);
  const diskTimer = watch ? setInterval(() => (disk = Math.max(disk, folderBytes(watch))), 500) : null;
  const t0 = performance.now();
  const self0 = process.cpuUsage();
  const cpu0 = childCpuSeconds();
  try {
    const result = await fn();
    const self = process.cpuUsage(self0);
    if (watch) disk = Math.max(disk, folderBytes(watch));
    return { result, seconds: (performance.now() - t0) / 1000, cpu: childCpuSeconds() - cpu0 + (self.user + self.system) / 1e6, peakMiB: peak, ffmpegPeakMiB: ffPeak, diskMiB: disk / 2 ** 20 };
  } finally {
    clearInterval(timer);
    if (diskTimer) clearInterval(diskTimer);
  }
}

/** The fastest of several runs. */
export const best = <T extends { seconds: number }>(runs: T[]): T => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));

export const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
