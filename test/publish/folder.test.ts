import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderPublisher } from '../../src/providers/publish/folder.js';
import type { PublishRequest } from '../../src/providers/types.js';
import type { Story, StoryMetadata } from '../../src/types.js';
import { tempDir } from '../helpers/services.js';

/** The folder publisher writes a story's folder whole, or leaves nothing (and keeps an earlier one). */

const story = { id: '3f2a9c1e-0000-4000-8000-000000000001', topic: 'Troy', language: 'en-US' } as Story;
const metadata: StoryMetadata = { title: 'Troy', description: 'A city.', tags: ['troy'], chapters: [{ start: 0, title: 'Troy' }], preview: true };

function request(src: string, missing?: 'video' | 'thumbnail' | 'srt'): PublishRequest {
  return {
    story,
    metadata,
    db: null as never,
    progress: () => {},
    warn: () => {},
    async file(name) {
      if (name === missing) throw new Error(`the story's ${name} is missing from storage`);
      const f = path.join(src, name);
      fs.writeFileSync(f, `${name} of ${src}`);
      return f;
    },
  };
}

const listing = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

describe('folderPublisher', () => {
  it('a publish that fails half-way leaves no folder for the story, and no partial one', async () => {
    const dir = path.join(tempDir('la-hyg-folder-'), 'published');
    for (const missing of ['thumbnail', 'srt'] as const) {
      await expect(folderPublisher(dir).publish(request(tempDir(), missing), AbortSignal.timeout(10_000))).rejects.toThrow(/missing from storage/);
      expect(listing(dir)).toEqual([]);
    }
  });

  it('publishes the six files, and a failed re-publish keeps the earlier folder whole', async () => {
    const dir = path.join(tempDir('la-hyg-folder-'), 'published');
    const first = tempDir();
    await folderPublisher(dir).publish(request(first), AbortSignal.timeout(10_000));
    expect(listing(dir)).toEqual([story.id]);
    const dest = path.join(dir, story.id);
    expect(listing(dest)).toEqual(['captions.srt', 'credits.json', 'metadata.json', 'sources.json', 'thumbnail.jpg', 'video.mp4']);
    expect(JSON.parse(fs.readFileSync(path.join(dest, 'metadata.json'), 'utf8'))).toMatchObject({ story_id: story.id, title: 'Troy' });

    await expect(folderPublisher(dir).publish(request(tempDir(), 'srt'), AbortSignal.timeout(10_000))).rejects.toThrow();
    expect(listing(dir)).toEqual([story.id]);
    expect(fs.readFileSync(path.join(dest, 'video.mp4'), 'utf8')).toBe(`video of ${first}`);

    const second = tempDir();
    await folderPublisher(dir).publish(request(second), AbortSignal.timeout(10_000));
    expect(listing(dir)).toEqual([story.id]);
    expect(fs.readFileSync(path.join(dest, 'video.mp4'), 'utf8')).toBe(`video of ${second}`);
  });

  it('sweeps a partial folder a killed publish of the same story left behind', async () => {
    const dir = path.join(tempDir('la-hyg-folder-'), 'published');
    fs.mkdirSync(path.join(dir, `.${story.id}.partial-deadbeef`), { recursive: true });
    fs.writeFileSync(path.join(dir, `.${story.id}.partial-deadbeef`, 'video.mp4'), 'half');
    await folderPublisher(dir).publish(request(tempDir()), AbortSignal.timeout(10_000));
    expect(listing(dir)).toEqual([story.id]);
  });
});
