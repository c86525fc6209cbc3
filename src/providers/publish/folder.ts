import fs from 'node:fs';
import path from 'node:path';
import type { Publisher } from '../types.js';

/** Publishes to a folder: `<dir>/<story-id>/` gets video.mp4, thumbnail.jpg, captions.srt, metadata.json, credits.json. */
export function folderPublisher(dir: string): Publisher {
  return {
    name: 'folder',
    async publish({ story, metadata, file, stills, credits }) {
      const dest = path.join(dir, story.id);
      await fs.promises.mkdir(dest, { recursive: true });
      await fs.promises.copyFile(await file('video'), path.join(dest, 'video.mp4'));
      await fs.promises.copyFile(await file('thumbnail'), path.join(dest, 'thumbnail.jpg'));
      await fs.promises.copyFile(await file('srt'), path.join(dest, 'captions.srt'));
      const doc = { story_id: story.id, topic: story.topic, language: story.language, ...metadata };
      await fs.promises.writeFile(path.join(dest, 'metadata.json'), JSON.stringify(doc, null, 2) + '\n');
      // the provenance of every archival picture, and how many stills were generated
      const ledger = { story_id: story.id, stills: stills ?? null, pictures: credits ?? [] };
      await fs.promises.writeFile(path.join(dest, 'credits.json'), JSON.stringify(ledger, null, 2) + '\n');
      return { videoId: null, url: null };
    },
  };
}
