import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Every external program (ffmpeg, ffprobe, espeak-ng) starts here, in a process group of its own: Ctrl-C
 * in a terminal and systemd's KillMode=control-group signal the whole group, and a render must outlive
 * that signal for the worker's grace period. So children are stopped only on purpose: when their job's
 * AbortSignal fires, and when this process exits (also on a crash), never left running behind it.
 * A SIGKILL skips all that: a worker therefore records each child in a file (src/scratch.ts), and the
 * next worker of its name kills the groups it finds there.
 */

/** How long a child has after SIGTERM before SIGKILL. */
export const STOP_GRACE_MS = 2_000;

const live = new Set<number>();
let registry: string | null = null;

/** When a process started (Linux: /proc/<pid>/stat), to tell it from a later one given its pid; null elsewhere. */
export function startTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Records each child started from now on as a file `<dir>/<pid>` holding its start time (null: stop). */
export function recordChildrenIn(dir: string | null): void {
  registry = dir;
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // the group is already gone
  }
}

/** Kills every child this process started and still runs (exit, crash, hang-up). */
export function killChildren(): void {
  for (const pid of live) signalGroup(pid, 'SIGKILL');
  live.clear();
}

const onHangup = () => {
  killChildren();
  process.exit(129);
};

function track(pid: number): void {
  if (live.size === 0) {
    process.on('exit', killChildren);
    // a closed terminal kills this process without an 'exit' event; its children are in other groups
    process.on('SIGHUP', onHangup);
  }
  live.add(pid);
  if (registry) fs.writeFileSync(path.join(registry, String(pid)), startTime(pid) ?? '');
}

function untrack(pid: number): void {
  live.delete(pid);
  if (registry) fs.rmSync(path.join(registry, String(pid)), { force: true });
  if (live.size === 0) {
    process.removeListener('exit', killChildren);
    process.removeListener('SIGHUP', onHangup);
  }
}

/**
 * Spawns `command` with `args` (no shell) in its own process group. When `signal` aborts, the group gets
 * SIGTERM, then SIGKILL after STOP_GRACE_MS; the child's 'close' event still tells the caller it ended.
 */
export function spawnChild(command: string, args: readonly string[], signal?: AbortSignal): ChildProcessWithoutNullStreams {
  const child = spawn(command, args, { stdio: 'pipe', detached: true });
  const pid = child.pid;
  if (pid === undefined) return child; // it failed to start: 'error' follows
  track(pid);
  let killer: NodeJS.Timeout | undefined;
  const stop = () => {
    signalGroup(pid, 'SIGTERM');
    killer = setTimeout(() => signalGroup(pid, 'SIGKILL'), STOP_GRACE_MS);
  };
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  child.on('exit', () => {
    clearTimeout(killer);
    signal?.removeEventListener('abort', stop);
    untrack(pid);
  });
  return child;
}
