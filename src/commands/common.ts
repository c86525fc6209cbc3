import { type LoadedConfig, loadConfig } from '../config.js';
import { buildServices } from '../context.js';
import { preflight } from '../doctor.js';
import type { JobType } from '../types.js';
import { type Level, type Logger, createLogger } from '../log.js';
import { isOffline } from '../providers/index.js';
import { JOB_TYPES } from '../stages/index.js';
import type { Services } from '../stages/types.js';
import { forTerminal } from '../control-chars.js';
import { UsageError } from '../errors.js';
import { decimalUsd } from '../stories.js';

/** Flags every command accepts (declared once on the program in src/cli.ts). */
export interface GlobalOptions {
  config?: string;
  verbose?: boolean;
  logJson?: boolean;
}

export function makeLogger(g: GlobalOptions, quietLevel: Level = 'info'): Logger {
  return createLogger({ level: g.verbose ? 'debug' : quietLevel, json: g.logJson });
}

export function announceOffline(config: LoadedConfig): void {
  if (isOffline(config)) {
    process.stderr.write(
      'lost-archives: offline mode (preview script and stills, espeak-ng voice, folder publisher); choose real providers in lost-archives.config.ts\n',
    );
  }
}

/** Loads the config, builds the services, runs `fn`, and always closes the database. */
export async function withServices<T>(
  g: GlobalOptions,
  opts: {
    logLevel?: Level;
    announce?: boolean;
    autoMigrate?: boolean;
    /** job types this command will run */
    preflight?: readonly JobType[];
    /** this command enqueues work: the configured providers' credentials must be there (workers may run elsewhere, so no tool checks) */
    enqueues?: boolean;
  },
  fn: (s: Services) => Promise<T>,
): Promise<T> {
  const config = await loadConfig({ configPath: g.config });
  const logger = makeLogger(g, opts.logLevel);
  if (opts.announce) announceOffline(config);
  if (opts.preflight) await preflight(config, opts.preflight);
  else if (opts.enqueues) await preflight(config, JOB_TYPES, { credentialsOnly: true });
  const services = await buildServices(config, logger, { autoMigrate: opts.autoMigrate });
  try {
    return await fn(services);
  } finally {
    await services.db.close();
  }
}

/**
 * `--budget USD` as a number (the story schema checks its range). Decimal notation only: `Number()`
 * alone would read `0x10` as 16, `1e3` as 1000 and `0b11` as 3.
 */
export function parseBudget(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const usd = decimalUsd(v);
  if (usd === null) throw new UsageError(`--budget takes an amount in US dollars in decimal digits, e.g. --budget 2.50 (got "${forTerminal(v)}")`);
  return usd;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** An AbortSignal that fires on the first SIGINT or SIGTERM; a second one exits at once. */
export function stopSignal(onFirst?: (sig: string) => void): AbortSignal {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    onFirst?.(sig);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return controller.signal;
}
