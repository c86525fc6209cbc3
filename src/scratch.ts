import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordChildrenIn, startTime } from './child-processes.js';
import { UsageError } from './errors.js';
import type { Logger } from './log.js';

/**
 * Where this process keeps its temporary folders (renders, stills, narration). A worker keeps them in a
 * folder of its own name, `<tmp>/lost-archives-worker-<name>/`, beside a pid file and one file per running
 * child (ffmpeg, espeak-ng): a worker killed with SIGKILL cannot clean up, so the next worker of that
 * name kills what it left running and removes what it left behind, at start-up.
 */

let root: string | null = null;

/** A new empty temporary folder `<prefix>XXXXXX` of this process's (removed by whoever made it). */
export function makeTempDir(prefix: string): Promise<string> {
  return fs.promises.mkdtemp(path.join(root ?? os.tmpdir(), prefix));
}

export function workerScratchDir(name: string): string {
  return path.join(os.tmpdir(), `lost-archives-worker-${name}`);
}

interface Holder {
  pid: number;
  start: string | null;
}

function running(h: Holder): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // the same pid, started at the same moment: the same process, not a later one given its number
  return startTime(h.pid) === h.start;
}

function kill(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/**
 * Takes the scratch folder of the worker `name` for this process: refuses while another live worker of
 * that name uses it; otherwise kills the process groups its previous owner left running and removes
 * everything else it left. Returns a function that gives the folder up (removing it).
 */
export function claimWorkerScratch(name: string, log: Logger): () => void {
  const dir = workerScratchDir(name);
  const children = path.join(dir, 'children');
  const pidFile = path.join(dir, 'worker.pid');
  fs.mkdirSync(children, { recursive: true });
  let before: Holder | null = null;
  try {
    before = JSON.parse(fs.readFileSync(pidFile, 'utf8')) as Holder;
  } catch {
    // none, or half written by a process killed while writing it
  }
  if (before && before.pid !== process.pid && running(before)) {
    throw new UsageError(`a worker named "${name}" is already running on this machine (process ${before.pid}); give each worker its own --name`);
  }
  let killed = 0;
  for (const file of fs.readdirSync(children)) {
    const child: Holder = { pid: Number(file), start: fs.readFileSync(path.join(children, file), 'utf8') || null };
    if (Number.isInteger(child.pid) && child.pid > 0 && running(child)) {
      kill(child.pid);
      killed++;
    }
    fs.rmSync(path.join(children, file), { force: true });
  }
  let removed = 0;
  for (const entry of fs.readdirSync(dir)) {
    if (entry === 'children') continue;
    fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    if (entry !== 'worker.pid') removed++;
  }
  if (killed || removed) {
    log.warn(`cleaned up after the previous worker named ${name}`, { processesKilled: killed, foldersRemoved: removed, previousPid: before?.pid });
  }
  fs.writeFileSync(pidFile, JSON.stringify({ pid: process.pid, start: startTime(process.pid) } satisfies Holder));
  root = dir;
  recordChildrenIn(children);
  return () => {
    recordChildrenIn(null);
    root = null;
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
