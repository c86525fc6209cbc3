import { forTerminal } from '../control-chars.js';
import { loadConfig } from '../config.js';
import { runChecks } from '../doctor.js';
import { ExitError } from '../errors.js';
import { type GlobalOptions, makeLogger, printJson } from './common.js';

/** `doctor`: what this machine has and lacks for the configured pipeline; exit 1 when something is missing. */
export async function doctor(g: GlobalOptions, opts: { json?: boolean }): Promise<void> {
  const config = await loadConfig({ configPath: g.config });
  const checks = await runChecks(config, makeLogger(g, 'error'));
  const ok = checks.every((c) => c.ok);
  if (opts.json) printJson({ ok, checks });
  else {
    for (const c of checks) {
      process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(17)} ${forTerminal(c.detail)}\n`);
      if (!c.ok && c.fix) process.stdout.write(`     ${''.padEnd(17)} fix: ${c.fix}\n`);
    }
    process.stdout.write(ok ? 'all checks passed\n' : 'some checks failed\n');
  }
  if (!ok) throw new ExitError(1);
}
