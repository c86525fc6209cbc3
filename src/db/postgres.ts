import pg from 'pg';
import { RuntimeError, databaseFault, errorMessage, isConnectionError, markDatabaseFault } from '../errors.js';
import type { Logger } from '../log.js';
import { type Db, type Queryable, maskUrl } from './types.js';

// int8 (counts, job ids) as numbers: ids stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

// every connection error of a statement is marked as the database's: a stage that fails on one hands its
// job back instead of spending an attempt (src/queue/execute.ts)
function wrap(client: pg.PoolClient | pg.Pool): Queryable {
  return {
    async query<T>(text: string, values?: unknown[]) {
      const res = await client.query(text, values as unknown[]).catch((err) => Promise.reject(markDatabaseFault(err)));
      return res.rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql).catch((err) => Promise.reject(markDatabaseFault(err)));
    },
  };
}

/** 53300 (no free connection) and 57P03 (starting up) pass by themselves: worth waiting for at start. */
const passing = (err: unknown) => ['53300', '57P03'].includes((err as { code?: string }).code ?? '');
const START_WAIT_MS = 30_000;

/** The first statement, waiting out a server that is full or starting up; a clear error otherwise. */
async function probe(pool: pg.Pool, url: string, log: Logger): Promise<void> {
  const giveUp = Date.now() + START_WAIT_MS;
  for (let delay = 500; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      await pool.query('select 1');
      return;
    } catch (err) {
      if (passing(err) && Date.now() + delay < giveUp) {
        log.warn(`${databaseFault(err)}; trying again`, { error: errorMessage(err), inMs: delay });
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      const what = (err as Error).message || (err as { code?: string }).code;
      const todo = passing(err)
        ? `${databaseFault(err)} for ${START_WAIT_MS / 1000} s. Try again later; if it lasts, fewer workers or a smaller pool per worker, or a higher max_connections (or role connection limit), make room.`
        : 'Check DATABASE_URL and that the server is running.';
      throw new RuntimeError(`cannot connect to PostgreSQL at ${maskUrl(url)}: ${what}. ${todo}`, { cause: err });
    }
  }
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
    await probe(pool, url, log);
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  const base = wrap(pool);
  const listeners = new Set<() => Promise<void>>();

  return {
    kind: 'postgres',
    description: maskUrl(url),
    ...base,
    async transaction(fn) {
      const client = await pool.connect().catch((err) => Promise.reject(markDatabaseFault(err)));
      // a backend killed mid-transaction emits 'error' on the checked-out client: without a listener
      // that would crash the process; the failing statement rejects on its own
      let broken: Error | undefined;
      const onError = (err: Error) => {
        broken = err;
        log.warn('database connection lost during a transaction', { error: err.message });
      };
      client.on('error', onError);
      try {
        const tx = wrap(client);
        await tx.query('begin');
        const result = await fn(tx);
        await tx.query('commit');
        return result;
      } catch (err) {
        if (!broken) await client.query('rollback').catch(() => {});
        if (isConnectionError(err)) broken ??= err as Error;
        throw broken ? markDatabaseFault(err) : err;
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
          else if (isConnectionError(err)) {
            // not now (the server is full, restarting, away): go on without, and keep trying
            log.warn(`cannot LISTEN yet: ${databaseFault(err)}; polling meanwhile and trying again`, { error: errorMessage(err) });
            lost(err as Error);
          } else {
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
