import { UsageError } from '../errors.js';
import { API_KEYS_ENV, checkServeOptions, parseApiKeys, serveUntil } from '../server/index.js';
import { type GlobalOptions, printJson, stopSignal, withServices } from './common.js';

export interface ServeCommandOptions {
  port?: string;
  host?: string;
  json?: boolean;
}

/** `serve`: the HTTP API in front of the database, until SIGTERM/SIGINT (requests in flight finish). */
export async function serve(g: GlobalOptions, opts: ServeCommandOptions): Promise<void> {
  const port = opts.port === undefined ? undefined : Number(opts.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) throw new UsageError('--port must be a whole number from 0 to 65535');
  const keys = parseApiKeys(process.env[API_KEYS_ENV]);
  if (opts.host) checkServeOptions({ host: opts.host, keys });
  await withServices(g, { logLevel: 'info', credentials: true }, async (s) => {
    const stop = stopSignal((sig) => s.logger.info(`received ${sig}`));
    const options = { host: opts.host ?? s.config.serve.host, port: port ?? s.config.serve.port, keys, rateLimit: s.config.serve.rateLimit };
    await serveUntil(s, options, stop, (url) => {
      if (opts.json) printJson({ url });
      else process.stdout.write(`listening on ${url}\n`);
    });
  });
}
