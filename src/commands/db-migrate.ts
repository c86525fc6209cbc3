import { loadConfig } from '../config.js';
import { migrate } from '../db/migrate.js';
import { openDb } from '../db/index.js';
import { type GlobalOptions, makeLogger, printJson } from './common.js';

/** `db migrate`: apply supabase/migrations in order; safe to run again and from several processes. */
export async function dbMigrate(g: GlobalOptions, opts: { json?: boolean }): Promise<void> {
  const config = await loadConfig({ configPath: g.config });
  const logger = makeLogger(g, 'warn');
  const db = await openDb({ url: config.database.url, dataDir: config.dataDir, poolSize: 2, logger }, { check: false });
  try {
    const result = await migrate(db);
    if (opts.json) printJson({ database: db.description, ...result });
    else {
      for (const name of result.applied) process.stdout.write(`applied ${name}\n`);
      process.stdout.write(
        result.applied.length
          ? `${db.description}: ${result.applied.length} migration(s) applied\n`
          : `${db.description}: up to date (${result.alreadyApplied.length} migrations)\n`,
      );
    }
  } finally {
    await db.close();
  }
}
