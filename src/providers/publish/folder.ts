import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Publisher } from '../types.js';

/**
 * Publishes to a folder: `<dir>/<story-id>/` gets video.mp4, thumbnail.jpg, captions.srt, metadata.json,
 * sources.json (the script's sources, most-cited first, and its claims with their verdicts) and credits.json
 * (the provenance of every archival picture, and how many stills were generated).
 * Everything is written into a hidden folder beside it and renamed into place, so the story's folder
 * appears whole or not at all (a failed publish leaves nothing, and a re-publish replaces the old one
 * only once the new one is complete).
 */
export function folderPublisher(dir: string): Publisher {
  return {
    name: 'folder',
    async publish({ story, metadata, file, research, stills, credits }) {
      const dest = path.join(dir, story.id);
      await fs.promises.mkdir(dir, { recursive: true });
      await sweepPartial(dir, story.id);
      const tmp = path.join(dir, `.${story.id}.partial-${randomBytes(4).toString('hex')}`);
      try {
        await fs.promises.mkdir(tmp);
        await fs.promises.copyFile(await file('video'), path.join(tmp, 'video.mp4'));
        await fs.promises.copyFile(await file('thumbnail'), path.join(tmp, 'thumbnail.jpg'));
        await fs.promises.copyFile(await file('srt'), path.join(tmp, 'captions.srt'));
        const doc = { story_id: story.id, topic: story.topic, language: story.language, ...metadata };
        await fs.promises.writeFile(path.join(tmp, 'metadata.json'), JSON.stringify(doc, null, 2) + '\n');
        const sources = { story_id: story.id, origin: research?.origin ?? null, search_queries: research?.search_queries ?? [], sources: research?.sources ?? [], claims: research?.claims ?? [] };
        await fs.promises.writeFile(path.join(tmp, 'sources.json'), JSON.stringify(sources, null, 2) + '\n');
        const ledger = { story_id: story.id, stills: stills ?? null, pictures: credits ?? [] };
        await fs.promises.writeFile(path.join(tmp, 'credits.json'), JSON.stringify(ledger, null, 2) + '\n');
        await moveIntoPlace(tmp, dest);
      } finally {
        await fs.promises.rm(tmp, { recursive: true, force: true });
      }
      return { videoId: null, url: null };
    },
  };
}

/** Renames the finished folder to `dest`; an older `dest` is moved aside first and removed after. */
async function moveIntoPlace(tmp: string, dest: string): Promise<void> {
  const old = `${tmp}.old`;
  let replaced = false;
  try {
    await fs.promises.rename(dest, old);
    replaced = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await fs.promises.rename(tmp, dest);
  } catch (err) {
    if (replaced) await fs.promises.rename(old, dest).catch(() => {});
    throw err;
  }
  if (replaced) await fs.promises.rm(old, { recursive: true, force: true });
}

/** Partial folders of this story that an earlier, killed publish left behind. */
async function sweepPartial(dir: string, storyId: string): Promise<void> {
  const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(`.${storyId}.partial-`)) await fs.promises.rm(path.join(dir, name), { recursive: true, force: true });
  }
}
