import pg from 'pg';
import { migrate } from '../../src/db/migrate.js';
import { openPglite } from '../../src/db/pglite.js';
import { connectPostgres } from '../../src/db/postgres.js';
import type { Db } from '../../src/db/types.js';
import { silentLogger } from '../../src/log.js';

/** The PostgreSQL server the suite uses (CI starts it); each test file gets a fresh database on it. */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Backends the shared queue suite runs on: `LA_TEST_BACKENDS=pglite` (or `postgres`) narrows it. */
export const BACKENDS = (process.env.LA_TEST_BACKENDS ?? 'pglite,postgres').split(',') as ('pglite' | 'postgres')[];

export function urlFor(dbName: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates an empty database and returns its URL and a function that drops it. */
export async function createDatabase(prefix = 'la_test'): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await admin((c) => c.query(`create database ${name}`));
  return {
    url: urlFor(name),
    name,
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}

/** A migrated database of the given kind, and a cleanup. */
export async function freshDb(kind: 'pglite' | 'postgres'): Promise<{ db: Db; url?: string; cleanup: () => Promise<void> }> {
  if (kind === 'pglite') {
    const db = await openPglite('memory');
    await migrate(db);
    return { db, cleanup: () => db.close() };
  }
  const created = await createDatabase();
  const db = await connectPostgres(created.url, { poolSize: 8, logger: silentLogger });
  await migrate(db);
  return {
    db,
    url: created.url,
    cleanup: async () => {
      await db.close();
      await created.drop();
    },
  };
}
