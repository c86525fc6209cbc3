import { afterEach, describe, expect, it } from 'vitest';
import { listMigrations, migrate, pendingMigrations, supabaseVersion } from '../../src/db/migrate.js';
import { openPglite } from '../../src/db/pglite.js';
import { connectPostgres } from '../../src/db/postgres.js';
import type { Db } from '../../src/db/types.js';
import { silentLogger } from '../../src/log.js';
import { BACKENDS, createDatabase } from '../helpers/db.js';

/** An empty database of the given kind (not migrated). */
async function emptyDb(kind: 'pglite' | 'postgres'): Promise<{ db: Db; cleanup: () => Promise<void> }> {
  if (kind === 'pglite') {
    const db = await openPglite('memory');
    return { db, cleanup: () => db.close() };
  }
  const created = await createDatabase();
  const db = await connectPostgres(created.url, { poolSize: 2, logger: silentLogger });
  return { db, cleanup: async () => (await db.close(), await created.drop()) };
}

/** What `supabase db push` leaves behind: its history table and the migrations applied. */
async function pushLikeSupabase(db: Db) {
  await db.exec('create schema supabase_migrations; create table supabase_migrations.schema_migrations (version text primary key, statements text[], name text)');
  for (const m of listMigrations()) {
    await db.exec(m.sql);
    const { version, name } = supabaseVersion(m.name);
    await db.query('insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)', [version, name]);
  }
}

describe.each(BACKENDS)('migrations on %s', (kind) => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(() => cleanup());

  it('leaves every table row-level secured with no policy, so a leaked anon key reads and writes nothing', async () => {
    const t = await emptyDb(kind);
    cleanup = t.cleanup;
    await migrate(t.db);
    const tables = await t.db.query<{ relname: string; relrowsecurity: boolean }>(
      "select relname, relrowsecurity from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace order by relname",
    );
    expect(tables.map((r) => r.relname)).toEqual(expect.arrayContaining(['stories', 'scenes', 'jobs', 'assets', 'lost_archives_migrations']));
    expect(tables.filter((r) => !r.relrowsecurity).map((r) => r.relname)).toEqual([]);
    expect(await t.db.query("select * from pg_policies where schemaname = 'public'")).toEqual([]);
  });

  it('takes migrations applied by `supabase db push` as applied, and records its own where the Supabase CLI looks', async () => {
    const t = await emptyDb(kind);
    cleanup = t.cleanup;
    await pushLikeSupabase(t.db);
    expect(await pendingMigrations(t.db)).toEqual([]);
    const r = await migrate(t.db);
    expect(r.applied).toEqual([]);
    expect(r.alreadyApplied).toHaveLength(listMigrations().length);

    // and the other way round: after `db migrate`, push would find nothing to do
    const fresh = await emptyDb(kind);
    try {
      await fresh.db.exec('create schema supabase_migrations; create table supabase_migrations.schema_migrations (version text primary key, statements text[], name text)');
      expect((await migrate(fresh.db)).applied).toHaveLength(listMigrations().length);
      const versions = await fresh.db.query<{ version: string; name: string }>('select version, name from supabase_migrations.schema_migrations order by version');
      expect(versions).toEqual(listMigrations().map((m) => supabaseVersion(m.name)));
    } finally {
      await fresh.cleanup();
    }
  });
});
