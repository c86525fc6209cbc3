import type { PictureCredit, StoredCredit } from '../providers/types.js';
import type { Queryable } from './types.js';

/** The provenance ledger: one row per archival picture a story uses. */

/** Records a scene's picture once: a retried job that finds the row leaves it as it was. */
export async function recordCredit(db: Queryable, storyId: string, scene: number, c: PictureCredit): Promise<void> {
  await db.query(
    `insert into credits (story_id, scene, source, page_url, file_url, title, author, licence, licence_url, modification)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict (story_id, scene) do nothing`,
    [storyId, scene, c.source, c.page_url, c.file_url, c.title, c.author, c.licence, c.licence_url, c.modification],
  );
}

export async function listCredits(db: Queryable, storyId: string): Promise<StoredCredit[]> {
  return db.query<StoredCredit>(
    'select scene, source, page_url, file_url, title, author, licence, licence_url, modification, retrieved_at from credits where story_id = $1 order by scene',
    [storyId],
  );
}

export async function deleteCredits(db: Queryable, storyId: string, scene?: number): Promise<void> {
  if (scene === undefined) await db.query('delete from credits where story_id = $1', [storyId]);
  else await db.query('delete from credits where story_id = $1 and scene = $2', [storyId, scene]);
}

/**
 * How many of a story's stills are archival and how many generated (a still of unknown origin counts as
 * generated): what decides the synthetic-media disclosure, in the upload and in `review`.
 */
export async function stillOrigins(db: Queryable, storyId: string): Promise<{ archival: number; generated: number }> {
  const [row] = await db.query<{ archival: number; generated: number }>(
    "select count(*) filter (where image_provider = 'archive')::int as archival, count(*) filter (where image_provider is distinct from 'archive')::int as generated from scenes where story_id = $1",
    [storyId],
  );
  return row;
}
