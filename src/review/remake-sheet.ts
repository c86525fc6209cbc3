import { listAssets } from '../db/stories.js';
import { ConflictError } from '../errors.js';
import { keys } from '../storage/types.js';
import { resolveStory } from '../stories.js';
import { type SheetDeps, writeContactSheet } from './contact-sheet.js';

/** (Re)makes the sheet of a rendered story from its stored video and thumbnail; returns where it is. */
export async function remakeContactSheet(deps: SheetDeps, idOrPrefix: string): Promise<{ story_id: string; key: string; url: string; path: string }> {
  const story = await resolveStory(deps.db, idOrPrefix);
  const kinds = new Set((await listAssets(deps.db, story.id)).map((a) => a.kind));
  if (!kinds.has('video') || !kinds.has('thumbnail')) {
    throw new ConflictError(`story ${story.id} has no rendered video and thumbnail yet (it is ${story.status}); the sheet is made from them`);
  }
  const video = await deps.storage.localPath(keys.story(story.id, 'video.mp4'), deps.signal);
  const thumbnail = await deps.storage.localPath(keys.story(story.id, 'thumbnail.jpg'), deps.signal);
  const { key } = await writeContactSheet(deps, story, { video, thumbnail });
  // remote storage: the copies downloaded for the frames are not kept
  await deps.storage.dropLocalCopies(keys.story(story.id, 'video.mp4'));
  await deps.storage.dropLocalCopies(keys.story(story.id, 'thumbnail.jpg'));
  return { story_id: story.id, key, url: await deps.storage.url(key), path: await deps.storage.localPath(key, deps.signal) };
}
