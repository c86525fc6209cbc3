import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../src/errors.js';
import { buildStorage } from '../../src/storage/index.js';
import { localStorage } from '../../src/storage/local.js';
import { TUS_CHUNK_BYTES, supabaseStorage, type SupabaseStorageOptions } from '../../src/storage/supabase.js';
import type { Storage } from '../../src/storage/types.js';
import { type FakeStorage, startFakeSupabaseStorage } from '../fakes/supabase-storage.js';
import { tempDir, testConfig } from '../helpers/services.js';
import { waitFor } from '../helpers/cli.js';

/** Backends the shared storage suite runs on: `LA_TEST_STORAGE=local` (or `supabase`) narrows it. */
const STORAGE_BACKENDS = (process.env.LA_TEST_STORAGE ?? 'local,supabase').split(',') as ('local' | 'supabase')[];
const MB = 1024 * 1024;

function fakeClient(fake: FakeStorage, dir: string, extra: Partial<SupabaseStorageOptions> = {}) {
  return supabaseStorage({
    url: fake.url,
    serviceRoleKey: fake.key,
    bucket: 'archive',
    public: false,
    signedUrlSeconds: 3600,
    resumableAboveBytes: 6 * MB,
    cacheDir: path.join(dir, 'cache'),
    retry: { attempts: 3, baseMs: 5 },
    tusRetryDelays: [0, 20, 50],
    ...extra,
  });
}

describe.each(STORAGE_BACKENDS)('storage on %s', (kind) => {
  const dir = tempDir('la-storage-');
  let fake: FakeStorage | undefined;
  let storage: Storage;
  beforeAll(async () => {
    if (kind === 'supabase') {
      fake = await startFakeSupabaseStorage();
      storage = fakeClient(fake, dir);
    } else storage = localStorage(path.join(dir, 'storage'));
  });
  afterAll(async () => {
    await fake?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, bytes: Buffer) => {
    const p = path.join(dir, 'src', name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, bytes);
    return p;
  };
  const read = async (key: string) => fs.readFileSync(await storage.localPath(key));

  it('stores bytes and files, and hands back a local file with the same bytes', async () => {
    const png = crypto.randomBytes(50_000);
    const wav = crypto.randomBytes(300_000);
    expect(await storage.exists('stories/a/scenes/01/image.png')).toBe(false);
    const put = await storage.put('stories/a/scenes/01/image.png', png, 'image/png');
    expect(put.bytes).toBe(png.length);
    await storage.put('stories/a/scenes/01/narration.wav', { file: file('n.wav', wav) }, 'audio/wav');
    expect(await storage.exists('stories/a/scenes/01/image.png')).toBe(true);
    expect((await read('stories/a/scenes/01/image.png')).equals(png)).toBe(true);
    expect((await read('stories/a/scenes/01/narration.wav')).equals(wav)).toBe(true);
  });

  it('gives a URL that serves the object', async () => {
    const bytes = Buffer.from('1\n00:00:00,000 --> 00:00:01,000\nHello\n');
    const { url } = await storage.put('stories/u/captions.srt', bytes, 'application/x-subrip');
    expect(await storage.url('stories/u/captions.srt')).toMatch(kind === 'local' ? /^file:\/\// : /\/object\/sign\/archive\/stories\/u\/captions\.srt\?token=/);
    if (kind === 'supabase') {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    }
  });

  it('overwrites a key on a second put (a re-run replaces, never duplicates)', async () => {
    const key = 'stories/o/video.mp4';
    await storage.put(key, Buffer.from('first version'), 'video/mp4');
    expect((await read(key)).toString()).toBe('first version');
    await storage.put(key, { file: file('second.mp4', Buffer.from('the second version')) }, 'video/mp4');
    expect((await read(key)).toString()).toBe('the second version');
  });

  it('removes every object under a prefix, and a single key, leaving neighbours', async () => {
    for (const k of ['stories/r/scenes/01/image.png', 'stories/r/scenes/02/image.png', 'stories/r/video.mp4', 'stories/r2/video.mp4']) {
      await storage.put(k, Buffer.from(k), 'application/octet-stream');
    }
    await storage.removePrefix('stories/r/scenes/02/image.png');
    expect(await storage.exists('stories/r/scenes/02/image.png')).toBe(false);
    expect(await storage.exists('stories/r/scenes/01/image.png')).toBe(true);
    await storage.removePrefix('stories/r');
    expect(await storage.exists('stories/r/scenes/01/image.png')).toBe(false);
    expect(await storage.exists('stories/r/video.mp4')).toBe(false);
    expect(await storage.exists('stories/r2/video.mp4')).toBe(true);
    await storage.removePrefix('stories/nothing-here'); // nothing to remove is fine
  });

  it('fails clearly for a missing object, never with a bare ENOENT or 404', async () => {
    const err = await storage.localPath('stories/none/video.mp4').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/stored file stories\/none\/video\.mp4 is missing from (local|Supabase) storage/i);
  });

  it('uploads a file above the resumable threshold and reads it back', { timeout: 120_000 }, async () => {
    const big = crypto.randomBytes(2 * TUS_CHUNK_BYTES + 1 * MB + 17);
    const src = file('big.mp4', big);
    if (fake) {
      fake.tusChunks.length = 0;
      fake.dropNextTusPatches = 1; // the second chunk's connection drops half-way: tus-js-client resumes
    }
    const put = await storage.put('stories/b/video.mp4', { file: src }, 'video/mp4');
    expect(put.bytes).toBe(big.length);
    expect((await read('stories/b/video.mp4')).equals(big)).toBe(true);
    if (fake) {
      // exactly 6 MB chunks (the last one shorter), each accepted once despite the dropped connection
      expect(fake.tusChunks).toEqual([TUS_CHUNK_BYTES, TUS_CHUNK_BYTES, MB + 17]);
      expect(fake.tusDrops).toBe(1);
      const create = fake.requests.find((r) => r.method === 'POST' && r.path === '/storage/v1/upload/resumable')!;
      expect(create.headers['x-upsert']).toBe('true');
      const meta = Object.fromEntries(
        String(create.headers['upload-metadata'])
          .split(',')
          .map((kv) => kv.split(' '))
          .map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
      );
      expect(meta).toMatchObject({ bucketName: 'archive', objectName: 'stories/b/video.mp4', contentType: 'video/mp4' });
      expect(fake.objects.get('archive/stories/b/video.mp4')!.contentType).toBe('video/mp4');
      // no standard upload of the big file
      expect(fake.requests.some((r) => r.method === 'POST' && r.path === '/storage/v1/object/archive/stories/b/video.mp4')).toBe(false);
    }
  });
});

describe('supabase storage: cache, retries and permanent errors', () => {
  const dir = tempDir('la-storage-');
  let fake: FakeStorage;
  beforeAll(async () => {
    fake = await startFakeSupabaseStorage({ buckets: { archive: { public: false }, open: { public: true } } });
  });
  afterAll(async () => {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records the content type given (not the client default text/plain) and upserts', async () => {
    const s = fakeClient(fake, dir);
    await s.put('stories/c/thumbnail.jpg', Buffer.from('jpeg'), 'image/jpeg');
    await s.put('stories/c/captions.ass', Buffer.from('[Script Info]'), 'text/x-ssa');
    expect(fake.objects.get('archive/stories/c/thumbnail.jpg')!.contentType).toBe('image/jpeg');
    expect(fake.objects.get('archive/stories/c/captions.ass')!.contentType).toBe('text/x-ssa');
    const uploads = fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/storage/v1/object/archive/'));
    expect(uploads.length).toBeGreaterThanOrEqual(2);
    expect(uploads.every((r) => r.headers['x-upsert'] === 'true' && r.headers['cache-control'] === 'max-age=3600')).toBe(true);
  });

  it('downloads once into the cache and reuses the file while the object is unchanged', async () => {
    const s = fakeClient(fake, dir);
    await s.put('stories/k/image.png', crypto.randomBytes(1000), 'image/png');
    const first = await s.localPath('stories/k/image.png');
    expect(first.startsWith(path.join(dir, 'cache', 'archive'))).toBe(true);
    const downloads = () => fake.requests.filter((r) => r.method === 'GET' && r.path === '/storage/v1/object/archive/stories/k/image.png').length;
    expect(downloads()).toBe(1);
    expect(await s.localPath('stories/k/image.png')).toBe(first);
    expect(downloads()).toBe(1);
  });

  it('another machine overwriting an object with one of the same size is seen: the stale copy is not used', async () => {
    const a = fakeClient(fake, path.join(dir, 'machine-a'));
    const b = fakeClient(fake, path.join(dir, 'machine-b'));
    await a.put('stories/v/captions.srt', Buffer.from('1\nteh library\n'), 'application/x-subrip');
    expect(fs.readFileSync(await b.localPath('stories/v/captions.srt'), 'utf8')).toBe('1\nteh library\n');
    await a.put('stories/v/captions.srt', Buffer.from('1\nthe library\n'), 'application/x-subrip');
    expect(fs.readFileSync(await b.localPath('stories/v/captions.srt'), 'utf8')).toBe('1\nthe library\n');
  });

  it('retries 5xx answers, then gives a retryable error', async () => {
    const s = fakeClient(fake, dir);
    fake.failNext = { count: 2, status: 503 };
    await s.put('stories/t/image.png', Buffer.from('x'), 'image/png');
    expect(fake.objects.has('archive/stories/t/image.png')).toBe(true);
    fake.failNext = { count: 10, status: 502 };
    const err = await s.put('stories/t/image.png', Buffer.from('y'), 'image/png').catch((e: unknown) => e);
    fake.failNext = { count: 0, status: 503 };
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as Error).message).toMatch(/HTTP 502/);
  });

  it('retries a reset connection', async () => {
    const s = fakeClient(fake, dir);
    await s.put('stories/t/narration.wav', Buffer.from('riff'), 'audio/wav');
    fake.resetNext = 2;
    const before = fake.requests.length;
    expect((await fs.promises.readFile(await s.localPath('stories/t/narration.wav'))).toString()).toBe('riff');
    expect(fake.resetNext).toBe(0);
    expect(fake.requests.length - before).toBeGreaterThanOrEqual(4); // info, reset x2 on the way, download
  });

  it('a stop request ends a download half-way and a resumable upload at once, leaving no partial file', async () => {
    const cache = path.join(dir, 'stopping');
    const s = fakeClient(fake, cache);
    await s.put('stories/stop/video.mp4', crypto.randomBytes(2 * MB), 'video/mp4');
    fake.stall = /^GET \/storage\/v1\/object\/archive\/stories\/stop\//;
    const stalled = fake.stalled;
    try {
      const stop = new AbortController();
      const download = s.localPath('stories/stop/video.mp4', stop.signal);
      await waitFor(() => fake.stalled > stalled, 5_000, 'the download to start');
      const t0 = Date.now();
      stop.abort(new Error('worker stopping'));
      await expect(download).rejects.toThrow('worker stopping');
      expect(Date.now() - t0).toBeLessThan(1_000);
      const left = fs.readdirSync(path.join(cache, 'cache', 'archive', 'stories', 'stop'));
      expect(left).toEqual([]);

      const big = path.join(dir, 'big-upload.bin');
      fs.writeFileSync(big, crypto.randomBytes(7 * MB));
      fake.stall = /^(POST|PATCH) \/storage\/v1\/upload\/resumable/;
      const stopUpload = new AbortController();
      const upload = s.put('stories/stop/big.mp4', { file: big }, 'video/mp4', stopUpload.signal);
      await waitFor(() => fake.stalled > stalled + 1, 5_000, 'the upload to start');
      const t1 = Date.now();
      stopUpload.abort(new Error('worker stopping'));
      await expect(upload).rejects.toThrow('worker stopping');
      expect(Date.now() - t1).toBeLessThan(1_000);
      expect(fake.objects.has('archive/stories/stop/big.mp4')).toBe(false);
    } finally {
      fake.stall = null;
    }
  });

  it('says what to fix for a wrong key or a missing bucket, at once', async () => {
    const wrongKey = fakeClient(fake, dir, { serviceRoleKey: 'not-the-key-of-this-project' });
    const e1 = await wrongKey.put('stories/x/image.png', Buffer.from('x'), 'image/png').catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(PermanentError);
    expect((e1 as Error).message).toMatch(/SUPABASE_SERVICE_ROLE_KEY/);
    expect((e1 as Error).message).not.toContain('not-the-key-of-this-project');
    const noBucket = fakeClient(fake, dir, { bucket: 'nope' });
    const before = fake.requests.length;
    const e2 = await noBucket.put('stories/x/image.png', Buffer.from('x'), 'image/png').catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(PermanentError);
    expect((e2 as Error).message).toMatch(/bucket nope .* does not exist/);
    expect(fake.requests.length - before).toBe(1); // not retried
    await expect(noBucket.checkBucket()).rejects.toThrow(/does not exist/);
    await expect(fakeClient(fake, dir).checkBucket()).resolves.toBe('bucket archive (private)');
  });

  it('gives public URLs for a public bucket, without a request', async () => {
    const s = fakeClient(fake, dir, { bucket: 'open', public: true });
    const { url } = await s.put('stories/p/thumbnail.jpg', Buffer.from('jpeg bytes'), 'image/jpeg');
    expect(url).toBe(`${fake.url}/storage/v1/object/public/open/stories/p/thumbnail.jpg`);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer()).toString()).toBe('jpeg bytes');
  });
});

describe('local storage on a shared database', () => {
  it('names the cause when another machine stored the file', async () => {
    const dir = tempDir('la-storage-');
    const s = localStorage(path.join(dir, 'storage'), { sharedDatabase: true });
    const err = await s.localPath('stories/z/scenes/01/image.png').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toContain(path.join(dir, 'storage', 'stories/z/scenes/01/image.png'));
    expect((err as Error).message).toMatch(/local storage is not shared between machines.*supabase/);
    expect((err as Error).message).not.toMatch(/ENOENT/);
  });
});

describe('storage configuration', () => {
  it('accepts local or supabase with a bucket, and lists what is wrong', () => {
    expect(testConfig().storage).toEqual({ kind: 'local' });
    expect(testConfig({ storage: { kind: 'supabase', bucket: 'lost-archives' } }).storage).toEqual({ kind: 'supabase', bucket: 'lost-archives', public: false, signedUrlSeconds: 604_800, resumableAboveMB: 6 });
    expect(() => testConfig({ storage: { kind: 'supabase' } as never })).toThrow(/storage\.bucket/);
    expect(() => testConfig({ storage: { kind: 's3' } as never })).toThrow(/storage\.kind/);
    expect(() => testConfig({ storage: { kind: 'supabase', bucket: 'b', key: 'secret' } as never })).toThrow(/Unrecognized key: "key"/);
  });

  it('supabase without credentials in the environment fails each use, naming the variable', async () => {
    const config = testConfig({ storage: { kind: 'supabase', bucket: 'lost-archives' } });
    const s = buildStorage(config, { SUPABASE_URL: 'https://x.supabase.co' });
    await expect(s.put('k', Buffer.from('x'), 'text/plain')).rejects.toThrow(/SUPABASE_SERVICE_ROLE_KEY not set/);
    await expect(s.localPath('k')).rejects.toBeInstanceOf(PermanentError);
    expect(buildStorage(config, { SUPABASE_URL: 'https://x.supabase.co/', SUPABASE_SERVICE_ROLE_KEY: 'k'.repeat(40) }).description).toBe(
      'Supabase Storage bucket lost-archives at https://x.supabase.co (private, signed URLs)',
    );
  });
});
