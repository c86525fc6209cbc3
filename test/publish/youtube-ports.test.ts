import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeferredError } from '../../src/errors.js';
import { writeToken } from '../../src/providers/publish/youtube/client.js';
import { youtubePublisher } from '../../src/providers/publish/youtube/index.js';
import type { Call, QuotaCounter } from '../../src/providers/publish/youtube/quota.js';
import type { UploadState, UploadStore } from '../../src/providers/publish/youtube/state.js';
import type { PublishRequest } from '../../src/providers/types.js';
import type { Story } from '../../src/types.js';
import { type FakeYoutube, startFakeYoutube } from '../fakes/youtube.js';
import { tempDir, testConfig } from '../helpers/services.js';

/** The publisher keeps its quota count and upload state behind two ports: here in memory, with no database at all. */

const ENV = { YOUTUBE_CLIENT_ID: 'fake-client-id', YOUTUBE_CLIENT_SECRET: 'fake-client-secret' };

function memoryPorts() {
  const spent: Call[] = [];
  let state: UploadState = { privacy: null, publish_at: null, session_uri: null, total_bytes: null, video_id: null, thumbnail_set: false, captions_id: null, playlist_item_id: null };
  const published: string[] = [];
  const quota: QuotaCounter = {
    spend: async (call) => void spent.push(call),
    requireUnits: async () => {},
    exhaust: async (call, why) => new DeferredError(`${call}: ${why}`, 60),
    uploadLimit: () => new DeferredError('upload limit', 86_400),
  };
  const uploads: UploadStore = {
    load: async () => ({ ...state }),
    save: async (patch) => void (state = { ...state, ...patch }),
    videoUploaded: async (id, url) => void published.push(`${id} ${url}`),
  };
  return { quota, uploads, spent, published, state: () => state };
}

describe('youtube publisher ports', () => {
  let fake: FakeYoutube;
  let dir: string;
  beforeEach(async () => {
    fake = await startFakeYoutube();
    dir = tempDir('la-yt-ports-');
  });
  afterEach(async () => fake.close());

  it('publishes through in-memory ports without touching a database, and a second publish skips what is done', async () => {
    fake.refreshTokens.add('1//r');
    const tokenFile = path.join(dir, 'youtube.json');
    writeToken(tokenFile, { refresh_token: '1//r', client_id: ENV.YOUTUBE_CLIENT_ID, obtained_at: new Date().toISOString() });
    const config = testConfig({ providers: { publish: 'youtube' }, youtube: { rootUrl: fake.rootUrl, oauth: { tokenUrl: fake.tokenUrl, authUrl: fake.authUrl }, tokenFile, chunkBytes: 256 * 1024 } }, dir);
    const ports = memoryPorts();
    const publisher = youtubePublisher(config, { env: ENV, backoffMs: 5, ports: () => ports });
    const files = { video: crypto.randomBytes(300_000), thumbnail: Buffer.from('\xff\xd8jpeg\xff\xd9', 'latin1'), srt: Buffer.from('1\n00:00:00,000 --> 00:00:01,000\nHello.\n') };
    for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);
    const req: PublishRequest = {
      story: { id: '00000000-0000-0000-0000-000000000001', language: 'fr-FR' } as Story,
      metadata: { title: 'La bibliothèque', description: 'Une histoire.', tags: ['histoire'], chapters: [], preview: false } as PublishRequest['metadata'],
      file: async (name) => path.join(dir, name),
      db: { query: async () => Promise.reject(new Error('the publisher touched the database')) } as unknown as PublishRequest['db'],
      progress: () => {},
      warn: () => {},
    };

    const first = await publisher.publish(req, new AbortController().signal);
    expect(first.videoId).toBe(fake.videos[0].id);
    expect(fake.videos[0].bytes.equals(files.video)).toBe(true);
    expect(fake.videos[0].captions[0].snippet).toMatchObject({ language: 'fr-FR', name: 'French' });
    expect(ports.spent).toEqual(['videos.insert', 'thumbnails.set', 'captions.insert']);
    expect(ports.published).toEqual([`${first.videoId} https://www.youtube.com/watch?v=${first.videoId}`]);
    expect(ports.state()).toMatchObject({ video_id: first.videoId, thumbnail_set: true, session_uri: null });

    const before = fake.requests.length;
    expect(await publisher.publish(req, new AbortController().signal)).toEqual(first);
    expect(fake.requests.slice(before)).toEqual([]);
    expect(fake.videos).toHaveLength(1);
  });
});
