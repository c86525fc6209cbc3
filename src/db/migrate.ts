import fs from 'node:fs';
import path from 'node:path';
import { migrationsDir } from '../paths.js';
import type { Db } from './types.js';

// Any fixed number: every process that migrates takes the same transaction-scoped advisory lock.
const MIGRATION_LOCK = 727_384_001;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

/** The migrations shipped in supabase/migrations, in file-name (timestamp) order. */
export function listMigrations(dir = migrationsDir): { name: string; sql: string }[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name), 'utf8') }));
}

/**
 * Applies pending migrations in one transaction, recording each. Safe to run from many processes at
 * once: they queue on an advisory lock, and the later ones find nothing left to do.
 */
export async function migrate(db: Db, dir = migrationsDir): Promise<MigrationResult> {
  const all = listMigrations(dir);
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(`create table if not exists lost_archives_migrations (
      name text primary key, applied_at timestamptz not null default now())`);
    const done = new Set((await tx.query<{ name: string }>('select name from lost_archives_migrations')).map((r) => r.name));
    const applied: string[] = [];
    for (const m of all) {
      if (done.has(m.name)) continue;
      await tx.exec(m.sql);
      await tx.query('insert into lost_archives_migrations (name) values ($1)', [m.name]);
      applied.push(m.name);
    }
    return { applied, alreadyApplied: all.filter((m) => done.has(m.name)).map((m) => m.name) };
  });
}

/** Names of shipped migrations the database has not applied yet. */
export async function pendingMigrations(db: Db, dir = migrationsDir): Promise<string[]> {
  const [{ exists }] = await db.query<{ exists: boolean }>(
    "select to_regclass('lost_archives_migrations') is not null as exists",
  );
  const done = exists
    ? new Set((await db.query<{ name: string }>('select name from lost_archives_migrations')).map((r) => r.name))
    : new Set<string>();
  return listMigrations(dir).map((m) => m.name).filter((n) => !done.has(n));
}
