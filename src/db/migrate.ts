import fs from 'node:fs';
import path from 'node:path';
import { migrationsDir } from '../paths.js';
import type { Db, Queryable } from './types.js';

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
      name text primary key, applied_at timestamptz not null default now());
      alter table lost_archives_migrations enable row level security`);
    const supabase = await hasSupabaseHistory(tx);
    const done = await appliedNames(tx, dir, supabase);
    const applied: string[] = [];
    for (const m of all) {
      if (done.has(m.name)) continue;
      await tx.exec(m.sql);
      await tx.query('insert into lost_archives_migrations (name) values ($1) on conflict do nothing', [m.name]);
      // so that `supabase db push` finds it applied too
      if (supabase) {
        const { version, name } = supabaseVersion(m.name);
        await tx.query('insert into supabase_migrations.schema_migrations (version, name) values ($1, $2) on conflict do nothing', [version, name]);
      }
      applied.push(m.name);
    }
    return { applied, alreadyApplied: all.filter((m) => done.has(m.name)).map((m) => m.name) };
  });
}

/** `20261125000100_schema.sql` → version `20261125000100`, name `schema`, as the Supabase CLI records it. */
export function supabaseVersion(file: string): { version: string; name: string } {
  const m = /^(\d+)_(.*)\.sql$/.exec(file);
  return m ? { version: m[1], name: m[2] } : { version: file.replace(/\.sql$/, ''), name: '' };
}

async function hasSupabaseHistory(db: Queryable): Promise<boolean> {
  const [{ exists }] = await db.query<{ exists: boolean }>("select to_regclass('supabase_migrations.schema_migrations') is not null as exists");
  return exists;
}

/**
 * Migrations this database has applied: recorded by `db migrate`, or by `supabase db push` (the Supabase
 * CLI's history), so either tool may be used and neither applies a migration twice.
 */
async function appliedNames(db: Queryable, dir: string, supabase: boolean): Promise<Set<string>> {
  const done = new Set<string>();
  const [{ ours }] = await db.query<{ ours: boolean }>("select to_regclass('lost_archives_migrations') is not null as ours");
  if (ours) for (const r of await db.query<{ name: string }>('select name from lost_archives_migrations')) done.add(r.name);
  if (supabase) {
    const versions = new Set((await db.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).map((r) => r.version));
    for (const m of listMigrations(dir)) if (versions.has(supabaseVersion(m.name).version)) done.add(m.name);
  }
  return done;
}

/** Names of shipped migrations the database has not applied yet. */
export async function pendingMigrations(db: Db, dir = migrationsDir): Promise<string[]> {
  const done = await appliedNames(db, dir, await hasSupabaseHistory(db));
  return listMigrations(dir).map((m) => m.name).filter((n) => !done.has(n));
}
