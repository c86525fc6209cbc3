import type { LoadedConfig } from './config.js';
import { openDb } from './db/index.js';
import { POOLER_ADVICE, transactionPooler } from './db/pooler.js';
import type { Logger } from './log.js';
import { buildMedia } from './media/index.js';
import { buildProviders } from './providers/index.js';
import type { Services } from './stages/types.js';
import { buildStorage } from './storage/index.js';

/**
 * Builds every side effect from the config, once: database, storage, providers, media, logger.
 * Commands call this; stages and the queue receive the result and never build clients themselves.
 */
export async function buildServices(config: LoadedConfig, logger: Logger, opts: { autoMigrate?: boolean } = {}): Promise<Services> {
  const pooler = transactionPooler(config.database.url);
  if (pooler && config.queue.listen) {
    logger.warn(`DATABASE_URL goes through a transaction pooler (${pooler}): ${POOLER_ADVICE}`);
    config.queue.listen = false;
  }
  const storage = buildStorage(config);
  const db = await openDb({ url: config.database.url, dataDir: config.dataDir, poolSize: config.database.poolSize, logger }, opts);
  return {
    config,
    db,
    storage,
    providers: buildProviders(config, process.env, storage),
    media: buildMedia(),
    logger,
  };
}
