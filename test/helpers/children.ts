import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import fs from 'node:fs';

/**
 * Child processes a test starts: each in its own process group (so a test can signal the group the way
 * a terminal does), and all killed and reaped after every test, passed or failed (test/helpers/reap.ts),
 * with whatever they started (ffmpeg and espeak-ng run in groups of their own).
 */

export type Child = ChildProcess & {
  /** stdout and stderr so far */
  output: () => string;
  /** resolves when the process has exited and its pipes are closed */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

const running = new Map<Child, Scope>();

/** A child started in a test (or its beforeEach) is reaped after that test; one started in beforeAll, after the file. */
export type Scope = 'test' | 'file';
let scope: Scope = 'file';
export function setScope(s: Scope): void {
  scope = s;
}

export function startChild(command: string, args: string[], opts: SpawnOptions = {}): Child {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts, detached: true });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (err) => {
      out += String(err);
      resolve({ code: null, signal: null });
    });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const c = Object.assign(child, { output: () => out, closed });
  running.set(c, scope);
  void closed.then(() => running.delete(c));
  return c;
}

/** Pids of every live process below `pid` (from /proc; empty where there is none). */
export function descendants(pid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const parent = new Map<number, number>();
  for (const e of entries) {
    const stat = procStat(Number(e));
    if (stat) parent.set(Number(e), stat.ppid);
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) if (pp === p && !found.includes(child)) (found.push(child), walk(child));
  };
  walk(pid);
  return found;
}

/** A process's name, state (R, S, T for stopped, Z for zombie), parent and group, or null when it is gone. */
export function procStat(pid: number): { comm: string; state: string; ppid: number; pgid: number } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const [state, ppid, pgid] = s.slice(close + 2).split(' ');
    return { comm: s.slice(s.indexOf('(') + 1, close), state, ppid: Number(ppid), pgid: Number(pgid) };
  } catch {
    return null;
  }
}

/** Whether a process is still running (a zombie waiting to be reaped is not). */
export function alive(pid: number): boolean {
  const s = procStat(pid);
  return !!s && s.state !== 'Z' && s.state !== 'X';
}

function kill(pid: number, sig: NodeJS.Signals) {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/** Kills every child still running (of the scope), its group and everything it started, and waits until each has closed. */
export async function reapChildren(of: Scope = 'test'): Promise<void> {
  const left = [...running].filter(([, s]) => of === 'file' || s === 'test').map(([c]) => c);
  for (const c of left) {
    if (c.pid === undefined) continue;
    const below = descendants(c.pid);
    kill(-c.pid, 'SIGKILL');
    for (const pid of below) {
      kill(-pid, 'SIGKILL');
      kill(pid, 'SIGKILL');
    }
  }
  await Promise.all(left.map((c) => c.closed));
}
