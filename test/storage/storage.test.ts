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
    // the server answers HTTP 400 and puts the 502 in the body's statusCode
    expect((err as Error).message).toMatch(/\(HTTP 400, statusCode 502\)/);
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
    expect((e1 as Error).message).toMatch(/^Supabase Storage refused to upload stories\/x\/image\.png \(HTTP 400, statusCode 403\): Invalid Compact JWS\. SUPABASE_SERVICE_ROLE_KEY must be the service_role key/);
    expect((e1 as Error).message).not.toContain('not-the-key-of-this-project');
    const noBucket = fakeClient(fake, dir, { bucket: 'nope' });
    const before = fake.requests.length;
    const e2 = await noBucket.put('stories/x/image.png', Buffer.from('x'), 'image/png').catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(PermanentError);
    expect((e2 as Error).message).toMatch(/bucket nope .* does not exist \(HTTP 400, statusCode 404\): create it/);
    // not retried: one look at the bucket's settings tells a missing bucket from a key that cannot see it
    expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /storage/v1/object/nope/stories/x/image.png', 'GET /storage/v1/bucket/nope']);
    await expect(noBucket.checkBucket()).rejects.toThrow(/does not exist/);
    await expect(fakeClient(fake, dir).checkBucket()).resolves.toBe('bucket archive (private)');
  });

  it("a wrong key reading a private bucket gets 'Bucket not found'; the error names SUPABASE_SERVICE_ROLE_KEY, not the bucket", async () => {
    await fakeClient(fake, dir).put('stories/w/image.png', Buffer.from('png'), 'image/png');
    // a string that is no key: the read route lets it through as anon, the bucket route refuses it
    const garbage = await fakeClient(fake, dir, { serviceRoleKey: 'not-the-key-of-this-project' }).localPath('stories/w/image.png').catch((e: unknown) => e);
    expect(garbage).toBeInstanceOf(PermanentError);
    expect((garbage as Error).message).toMatch(/^Supabase Storage refused to look up stories\/w\/image\.png \(HTTP 400, statusCode 404\): Bucket not found \(the key was refused: Invalid Compact JWS\)\. SUPABASE_SERVICE_ROLE_KEY must be/);
    // the project's anon key: a good key, for the wrong role (row-level security hides the bucket)
    const anon = await fakeClient(fake, dir, { serviceRoleKey: fake.anonKey }).localPath('stories/w/image.png').catch((e: unknown) => e);
    expect((anon as Error).message).toMatch(/Bucket not found \(it is the anon key \(role anon\), which sees a private bucket as missing\)\. SUPABASE_SERVICE_ROLE_KEY must be/);
    const anonCheck = await fakeClient(fake, dir, { serviceRoleKey: fake.anonKey }).checkBucket().catch((e: unknown) => e);
    expect((anonCheck as Error).message).toMatch(/^Supabase Storage refused to read bucket archive .*: Bucket not found \(it is the anon key.*SUPABASE_SERVICE_ROLE_KEY must be/);
    // existence checks read the body: a wrong key is not "not there"
    await expect(fakeClient(fake, dir, { serviceRoleKey: fake.anonKey }).exists('stories/w/image.png')).rejects.toThrow(/SUPABASE_SERVICE_ROLE_KEY/);
  });

  it('a resumable (TUS) upload with a wrong key fails at once with "Invalid Compact JWS" turned into what to fix', async () => {
    const big = path.join(dir, 'src', 'tus-wrong-key.mp4');
    fs.mkdirSync(path.dirname(big), { recursive: true });
    fs.writeFileSync(big, Buffer.alloc(MB + 1));
    const s = fakeClient(fake, dir, { serviceRoleKey: 'not-the-key-of-this-project', resumableAboveBytes: MB });
    const before = fake.requests.length;
    const err = await s.put('stories/w/video.mp4', { file: big }, 'video/mp4').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/^Supabase Storage refused to upload stories\/w\/video\.mp4 \(HTTP 400, statusCode 403\): Invalid Compact JWS\. SUPABASE_SERVICE_ROLE_KEY must be/);
    expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /storage/v1/upload/resumable']);
    expect(fake.objects.has('archive/stories/w/video.mp4')).toBe(false);
  });

  it('the fake answers as the real server does: HTTP 400 with the meaning in the body, TUS errors with their own status', async () => {
    const get = (p: string, key: string) => fetch(`${fake.url}/storage/v1${p}`, { headers: { authorization: `Bearer ${key}`, apikey: key } });
    const missing = await get('/object/info/archive/stories/none/x.png', fake.key);
    expect([missing.status, await missing.json()]).toEqual([400, { statusCode: '404', code: 'NoSuchKey', error: 'not_found', message: 'Object not found' }]);
    const refused = await get('/bucket/archive', 'not-a-jwt');
    expect([refused.status, await refused.json()]).toEqual([400, { statusCode: '403', code: 'AccessDenied', error: 'Unauthorized', message: 'Invalid Compact JWS' }]);
    const forged = await get('/bucket/archive', `${fake.anonKey.slice(0, -4)}AAAA`);
    expect(((await forged.json()) as { message: string }).message).toBe('signature verification failed');
    const hidden = await get('/object/archive/stories/none/x.png', 'not-a-jwt');
    expect([hidden.status, await hidden.json()]).toEqual([400, { statusCode: '404', code: 'NoSuchBucket', error: 'Bucket not found', message: 'Bucket not found' }]);
    const meta = `bucketName ${Buffer.from('nope').toString('base64')},objectName ${Buffer.from('a.mp4').toString('base64')}`;
    const tus = await fetch(`${fake.url}/storage/v1/upload/resumable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.key}`, 'tus-resumable': '1.0.0', 'upload-length': '10', 'upload-metadata': meta },
    });
    expect([tus.status, await tus.text()]).toEqual([404, 'Bucket not found']);
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
