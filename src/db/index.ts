import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import { expireLeases } from '../queue/jobs.js';
import { migrate, pendingMigrations } from './migrate.js';
import { openPglite } from './pglite.js';
import { connectPostgres } from './postgres.js';
import type { Db } from './types.js';

export type { Db, Queryable } from './types.js';

export interface DbOptions {
  url?: string;
  dataDir: string;
  poolSize: number;
  logger: Logger;
}

/**
 * Opens the configured database: PostgreSQL when a URL is given, else the embedded PGlite in
 * `<dataDir>`. The embedded database migrates itself; PostgreSQL must be migrated with `db migrate`
 * (so that a deploy decides when the schema changes) unless `autoMigrate` is set. Opening the embedded
 * database also frees the jobs a crashed process held there.
 */
export async function openDb(opts: DbOptions, { autoMigrate = false, check = true } = {}): Promise<Db> {
  if (opts.url) {
    if (!/^postgres(ql)?:\/\//.test(opts.url)) {
      throw new UsageError('DATABASE_URL must be a postgres:// or postgresql:// connection string');
    }
    const db = await connectPostgres(opts.url, { poolSize: opts.poolSize, logger: opts.logger });
    try {
      if (autoMigrate) await migrate(db);
      else if (check) {
        const pending = await pendingMigrations(db);
        if (pending.length) {
          throw new UsageError(
            `the database at ${db.description} is missing ${pending.length} migration(s) (${pending.join(', ')}). ` +
              'Run `lost-archives db migrate` first.',
          );
        }
      }
    } catch (err) {
      await db.close();
      throw err;
    }
    return db;
  }
  const db = await openPglite(path.resolve(opts.dataDir));
  try {
    await migrate(db);
    // this process holds the only lock: a job still marked as being worked on belongs to one that died
    const freed = await expireLeases(db);
    if (freed) opts.logger.info(`took over ${freed} job(s) left by a process that ended without finishing them`);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
