import { once } from 'node:events';
import { UsageError } from '../errors.js';
import type { Services } from '../stages/types.js';
import { type AppOptions, buildApp } from './app.js';
import { API_KEYS_ENV, isLoopback } from './auth.js';

export { buildApp } from './app.js';
export { API_KEYS_ENV, parseApiKeys } from './auth.js';

const SHUTDOWN_GRACE_MS = 10_000;

export interface ServeOptions extends AppOptions {
  host: string;
  port: number;
}

/** Refuses what must not start: an API open to the network. */
export function checkServeOptions(opts: Pick<ServeOptions, 'host' | 'keys'>): void {
  if (!opts.keys.length && !isLoopback(opts.host)) {
    throw new UsageError(
      `refusing to listen on ${opts.host} without an API key: anyone who can reach it could create stories. ` +
        `Set ${API_KEYS_ENV}=key1,key2 (long random strings), or listen on 127.0.0.1.`,
    );
  }
}

/**
 * Serves the API until `stop` fires, then stops accepting connections, lets the requests in flight
 * finish and resolves (the caller closes the database). `onListening` gets the address once it is bound.
 */
export async function serveUntil(s: Services, opts: ServeOptions, stop: AbortSignal, onListening: (url: string) => void): Promise<void> {
  checkServeOptions(opts);
  const app = await buildApp(s, opts);
  let url: string;
  try {
    url = await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(`cannot listen on ${opts.host}:${opts.port}: ${code === 'EADDRINUSE' ? 'the port is in use' : code}; choose another with --port/--host`);
    }
    throw err;
  }
  if (!opts.keys.length) s.logger.warn(`no API keys (${API_KEYS_ENV}): every route is open to this machine`);
  if (s.db.kind === 'pglite') s.logger.warn('embedded database: workers in other processes cannot open it; set DATABASE_URL (PostgreSQL) to run workers beside the API');
  onListening(url);
  if (!stop.aborted) await once(stop, 'abort');
  s.logger.info('stopping: no new connections; finishing the requests in flight');
  // requests in flight get a grace period; connections still open after it are closed
  const grace = setTimeout(() => {
    s.logger.warn(`requests still open after ${SHUTDOWN_GRACE_MS / 1000} s: closing their connections`);
    app.server.closeAllConnections();
  }, SHUTDOWN_GRACE_MS);
  try {
    await app.close();
  } finally {
    clearTimeout(grace);
  }
  s.logger.info('stopped');
}
