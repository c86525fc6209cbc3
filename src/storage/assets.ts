import { upsertAsset } from '../db/stories.js';
import type { Db } from '../db/types.js';
import { keys, type Storage } from './types.js';

/** Stores a story-level file (video, captions, thumbnail) and records it as an asset of that kind. */
export async function storeAsset(
  deps: { db: Db; storage: Storage; signal?: AbortSignal },
  storyId: string,
  asset: { kind: string; file: string; contentType: string; source: Buffer | { file: string } },
): Promise<void> {
  const key = keys.story(storyId, asset.file);
  const stored = await deps.storage.put(key, asset.source, asset.contentType, deps.signal);
  await upsertAsset(deps.db, { story_id: storyId, kind: asset.kind, storage_key: key, url: stored.url, content_type: asset.contentType, bytes: stored.bytes });
}
