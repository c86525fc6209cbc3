import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { tokenFilePath } from '../../src/providers/publish/youtube/client.js';
import { videoResource } from '../../src/providers/publish/youtube/index.js';
import type { Story } from '../../src/types.js';

describe('youtube settings', () => {
  it('default to a private, not-for-kids video that discloses synthetic media', () => {
    const c = parseConfig({}, 'test');
    expect(c.providers.publish).toBe('folder');
    expect(c.youtube).toMatchObject({ privacy: 'private', madeForKids: false, categoryId: '27', chunkBytes: 8 * 1024 * 1024 });
    // the disclosure is decided per story unless the config overrides it
    expect(c.youtube.containsSyntheticMedia).toBeUndefined();
    expect(tokenFilePath(c, { XDG_CONFIG_HOME: '/home/op/.config' })).toBe('/home/op/.config/lost-archives/youtube.json');
  });

  it('list every problem: a chunk size off the 256 KiB grid, scheduling a public video', () => {
    expect(() => parseConfig({ providers: { publish: 'youtube' }, youtube: { chunkBytes: 300_000, privacy: 'public', publishAt: '2026-12-01T17:00:00Z' } }, 'lost-archives.config.ts')).toThrow(
      "invalid configuration in lost-archives.config.ts:\n  - youtube.chunkBytes: must be a multiple of 262144 (256 KiB)\n  - youtube.privacy: publishAt needs privacy 'private' (YouTube makes the video public at that time)",
    );
  });

  it('disclose synthetic media from what the story uses, unless the config says otherwise', () => {
    const story = { language: 'en-US' } as Story;
    const metadata = { title: 't', description: 'd', tags: [], chapters: [], preview: false };
    const settings = parseConfig({}, 'test').youtube;
    const flag = (s: typeof settings, stills?: { generated: number; archival: number }) => videoResource({ story, metadata, stills }, s, new Date()).status.containsSyntheticMedia;
    expect(flag(settings, { generated: 0, archival: 5 })).toBe(false);
    expect(flag(settings, { generated: 1, archival: 4 })).toBe(true);
    expect(flag(settings)).toBe(true);
    expect(flag(settings, { generated: 0, archival: 0 })).toBe(true);
    expect(flag(parseConfig({ youtube: { containsSyntheticMedia: true } }, 'test').youtube, { generated: 0, archival: 5 })).toBe(true);
    expect(flag(parseConfig({ youtube: { containsSyntheticMedia: false } }, 'test').youtube, { generated: 3, archival: 0 })).toBe(false);
  });

  it('make the video resource: schedule, language from the story, disclosure', () => {
    const settings = parseConfig({ youtube: { publishAt: { hoursAfterUpload: 24 }, madeForKids: true } }, 'test').youtube;
    const story = { language: 'es-ES' } as Story;
    const metadata = { title: 'La Biblioteca', description: 'd', tags: ['historia'], chapters: [], preview: false };
    expect(videoResource({ story, metadata }, settings, new Date('2026-11-25T10:00:00Z'))).toEqual({
      snippet: { title: 'La Biblioteca', description: 'd', tags: ['historia'], categoryId: '27', defaultLanguage: 'es-ES', defaultAudioLanguage: 'es-ES' },
      status: { privacyStatus: 'private', publishAt: '2026-11-26T10:00:00.000Z', selfDeclaredMadeForKids: true, containsSyntheticMedia: true },
    });
    // a configured language labels the title and description; the narration is still the story's language
    const labelled = parseConfig({ youtube: { defaultLanguage: 'en-US' } }, 'test').youtube;
    expect((videoResource({ story, metadata }, labelled, new Date()) as { snippet: object }).snippet).toMatchObject({ defaultLanguage: 'en-US', defaultAudioLanguage: 'es-ES' });
    // a schedule whose time passed while the job waited for quota: published at once, not private for good
    const fixed = parseConfig({ youtube: { publishAt: '2026-11-25T09:00:00Z' } }, 'test').youtube;
    expect(videoResource({ story, metadata }, fixed, new Date('2026-11-25T10:00:00Z')).status).toEqual({ privacyStatus: 'public', selfDeclaredMadeForKids: false, containsSyntheticMedia: true });
  });
});
