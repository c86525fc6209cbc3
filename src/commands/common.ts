import { type LoadedConfig, loadConfig } from '../config.js';
import { buildServices } from '../context.js';
import { credentialPreflight, preflight } from '../doctor.js';
import type { JobType } from '../types.js';
import { type Level, type Logger, createLogger } from '../log.js';
import { isOffline } from '../providers/index.js';
import type { Services } from '../stages/types.js';

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
    /** refuse (before anything is queued) when a configured provider has no credentials */
    credentials?: boolean;
  },
  fn: (s: Services) => Promise<T>,
): Promise<T> {
  const config = await loadConfig({ configPath: g.config });
  const logger = makeLogger(g, opts.logLevel);
  if (opts.announce) announceOffline(config);
  if (opts.credentials) credentialPreflight(config);
  if (opts.preflight) await preflight(config, opts.preflight);
  const services = await buildServices(config, logger, { autoMigrate: opts.autoMigrate });
  try {
    return await fn(services);
  } finally {
    await services.db.close();
  }
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
