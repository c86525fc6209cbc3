import pg from 'pg';
import { RuntimeError, isConnectionError } from '../errors.js';
import type { Logger } from '../log.js';
import { type Db, type Queryable, maskUrl } from './types.js';

// int8 (counts, job ids) as numbers: ids stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

function wrap(client: pg.PoolClient | pg.Pool): Queryable {
  return {
    async query<T>(text: string, values?: unknown[]) {
      const res = await client.query(text, values as unknown[]);
      return res.rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

/** PostgreSQL 14+ through node-postgres: a pool for statements, one dedicated connection per LISTEN. */
export async function connectPostgres(url: string, opts: { poolSize: number; logger: Logger }): Promise<Db> {
  const log = opts.logger;
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // a half-open connection must fail a statement rather than hang a heartbeat forever
    keepAlive: true,
    query_timeout: 60_000,
    application_name: 'lost-archives',
  });
  // A backend killed under an idle client surfaces here; the pool drops that client and makes a new one.
  pool.on('error', (err) => log.warn('database connection lost; reconnecting', { error: err.message }));
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw new RuntimeError(
      `cannot connect to PostgreSQL at ${maskUrl(url)}: ${(err as Error).message || (err as { code?: string }).code}. ` +
        'Check DATABASE_URL and that the server is running.',
      { cause: err },
    );
  }
  const base = wrap(pool);
  const listeners = new Set<() => Promise<void>>();

  return {
    kind: 'postgres',
    description: maskUrl(url),
    ...base,
    async transaction(fn) {
      const client = await pool.connect();
      // a backend killed mid-transaction emits 'error' on the checked-out client: without a listener
      // that would crash the process; the failing statement rejects on its own
      let broken: Error | undefined;
      const onError = (err: Error) => {
        broken = err;
        log.warn('database connection lost during a transaction', { error: err.message });
      };
      client.on('error', onError);
      try {
        await client.query('begin');
        const result = await fn(wrap(client));
        await client.query('commit');
        return result;
      } catch (err) {
        if (!broken) await client.query('rollback').catch(() => {});
        if (isConnectionError(err)) broken ??= err as Error;
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async listen(channel, onNotify, onReconnect) {
      let client: pg.Client | null = null;
      let stopped = false;
      let delay = 100;
      const connect = async (isReconnect: boolean): Promise<void> => {
        if (stopped) return;
        const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, keepAlive: true, application_name: 'lost-archives-listen' });
        c.on('notification', (n) => {
          if (n.channel === channel) onNotify(n.payload ?? '');
        });
        const lost = (err?: Error) => {
          if (stopped || client !== c) return;
          client = null;
          log.warn('listening connection lost; reconnecting', { error: err?.message });
          c.end().catch(() => {});
          setTimeout(() => void connect(true), delay);
          delay = Math.min(delay * 2, 5_000);
        };
        c.on('error', lost);
        c.on('end', () => lost());
        client = c;
        try {
          await c.connect();
          await c.query(`listen ${pg.escapeIdentifier(channel)}`);
          delay = 100;
          if (isReconnect) {
            log.info('listening again', { channel });
            onReconnect?.();
          }
        } catch (err) {
          if (isReconnect || client !== c) lost(err as Error);
          else {
            client = null;
            await c.end().catch(() => {});
            throw err;
          }
        }
      };
      await connect(false);
      const stop = async () => {
        stopped = true;
        listeners.delete(stop);
        const c = client;
        client = null;
        await c?.end().catch(() => {});
      };
      listeners.add(stop);
      return stop;
    },
    async close() {
      await Promise.all([...listeners].map((s) => s()));
      await pool.end();
    },
  };
}
