import path from 'node:path';
import { type Child, startChild } from './children.js';

export const BIN = path.resolve(import.meta.dirname, '../../dist/bin/lost-archives.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Clean environment for a spawned CLI: no DATABASE_URL unless the test gives one. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', NO_COLOR: '1' };
  delete env.DATABASE_URL;
  delete env.DEBUG;
  return { ...env, ...extra };
}

/** The real bin, in a process group of its own; killed and reaped after the test (helpers/reap.ts). */
export function startCli(args: string[], opts: { cwd: string; env?: Record<string, string | undefined> }): Child & { result: Promise<CliResult> } {
  const child = startChild(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: cliEnv(opts.env) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = child.closed.then(({ code, signal }) => ({ code, signal, stdout, stderr }));
  return Object.assign(child, { result });
}

export function runCli(args: string[], opts: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  return startCli(args, opts).result;
}

/**
 * Waits until `check()` is true, polling; fails after `ms`. Deadlines are generous on purpose: they only
 * matter when something is wrong, and a machine busy with other work may be ten times slower.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 60_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
