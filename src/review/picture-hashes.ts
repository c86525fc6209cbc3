import type { Queryable } from '../db/types.js';
import { errorMessage } from '../errors.js';
import { keys, type Storage } from '../storage/types.js';
import { dHash } from './hash.js';

/**
 * The dHash of every current still and thumbnail of some stories. Hashes are stored (image_hashes) with
 * the picture's version (the scene's or asset's time), so each picture is decoded once; a picture made
 * again (a retry) has a newer version and is hashed again.
 */

export interface PictureHash {
  story_id: string;
  kind: 'still' | 'thumbnail';
  /** the scene's position; 0 for the thumbnail */
  position: number;
  dhash: string;
}

interface Picture extends PictureHash {
  storage_key: string | null;
  version: string;
  dhash: string;
}

export async function pictureHashes(deps: { db: Queryable; storage: Storage; signal?: AbortSignal; warn?: (message: string) => void }, storyIds: string[]): Promise<PictureHash[]> {
  if (!storyIds.length) return [];
  const pictures = await deps.db.query<Picture>(
    `with pics as (
       select story_id, 'still' as kind, position, null as storage_key, updated_at as version from scenes where story_id = any ($1) and image_url is not null
       union all
       select story_id, 'thumbnail', 0, storage_key, created_at from assets where story_id = any ($1) and kind = 'thumbnail')
     select p.story_id, p.kind, p.position, p.storage_key, p.version::text as version, h.dhash
     from pics p left join image_hashes h on h.story_id = p.story_id and h.kind = p.kind and h.position = p.position and h.version = p.version
     order by p.story_id, p.kind, p.position`,
    [storyIds],
  );
  const out: PictureHash[] = [];
  for (const p of pictures) {
    let dhash = p.dhash;
    if (!dhash) {
      const key = p.storage_key ?? keys.scene(p.story_id, p.position, 'image.png');
      try {
        dhash = await dHash(await deps.storage.localPath(key, deps.signal));
      } catch (err) {
        // a picture that cannot be read is left out of the check, not a failure of it
        deps.warn?.(`cannot hash ${key}: ${errorMessage(err)}`);
        continue;
      }
      await deps.db.query(
        `insert into image_hashes (story_id, kind, position, storage_key, version, dhash) values ($1, $2, $3, $4, $5::timestamptz, $6)
         on conflict (story_id, kind, position) do update set storage_key = excluded.storage_key, version = excluded.version, dhash = excluded.dhash, created_at = now()`,
        [p.story_id, p.kind, p.position, key, p.version, dhash],
      );
    }
    out.push({ story_id: p.story_id, kind: p.kind, position: p.position, dhash });
  }
  return out;
}
