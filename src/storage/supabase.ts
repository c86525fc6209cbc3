import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createClient } from '@supabase/supabase-js';
import { supabaseCalls } from './supabase-calls.js';
import { failureOf, isBucketMissing } from './supabase-errors.js';
import { tusUpload } from './tus.js';
import type { Storage } from './types.js';

/** Supabase requires exactly this chunk size for resumable uploads. */
export const TUS_CHUNK_BYTES = 6 * 1024 * 1024;

export interface SupabaseStorageOptions {
  /** `SUPABASE_URL`, e.g. https://abcd.supabase.co */
  url: string;
  /** `SUPABASE_SERVICE_ROLE_KEY`: never printed */
  serviceRoleKey: string;
  bucket: string;
  public: boolean;
  signedUrlSeconds: number;
  /** files larger than this go up through TUS */
  resumableAboveBytes: number;
  /** downloads land here (`<dataDir>/storage-cache`) */
  cacheDir: string;
  /** tries per call (the first included) and the first delay; the delay doubles. Default 4 and 500 ms. */
  retry?: { attempts: number; baseMs: number };
  /** tus-js-client's delays between tries of one chunk. Default [0, 1000, 3000, 5000, 10000]. */
  tusRetryDelays?: number[];
}

class NoRealtime {
  constructor() {
    throw new Error('lost-archives does not use Supabase Realtime');
  }
}

/** Supabase Storage: every stage's files in one bucket under the deterministic keys. */
export function supabaseStorage(opts: SupabaseStorageOptions): Storage & { checkBucket(): Promise<string> } {
  const client = createClient(opts.url, opts.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // Only storage is used. Realtime wants a WebSocket at construction, which Node 20 lacks; it never connects.
    realtime: { transport: NoRealtime as never },
  });
  const bucket = () => client.storage.from(opts.bucket);
  const where = `bucket ${opts.bucket} at ${opts.url}`;
  const { classify, call } = supabaseCalls(client, { bucket: opts.bucket, serviceRoleKey: opts.serviceRoleKey, where, retry: opts.retry ?? { attempts: 4, baseMs: 500 } });


  const cacheFile = (key: string) => {
    const p = path.resolve(opts.cacheDir, opts.bucket, key);
    if (!p.startsWith(path.resolve(opts.cacheDir) + path.sep)) throw new Error(`storage key escapes the cache folder: ${key}`);
    return p;
  };

  async function url(key: string): Promise<string> {
    if (opts.public) return bucket().getPublicUrl(key).data.publicUrl;
    const signed = await call(`sign a URL for ${key}`, key, () => bucket().createSignedUrl(key, opts.signedUrlSeconds));
    return signed.signedUrl;
  }

  async function download(key: string, dest: string, signal?: AbortSignal): Promise<void> {
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.part`;
    try {
      await call(
        `download ${key}`,
        key,
        async () => {
          const r = await bucket().download(key, {}, { signal }).asStream();
          if (r.error) return r;
          await pipeline(Readable.fromWeb(r.data as import('node:stream/web').ReadableStream), fs.createWriteStream(tmp), { signal });
          return { data: true, error: null };
        },
        signal,
      );
      await fs.promises.rename(tmp, dest);
    } finally {
      await fs.promises.rm(tmp, { force: true });
    }
  }

  /** Every object key under `folder` (the legacy list is one level at a time, `limit` entries a page). */
  async function listAll(folder: string): Promise<string[]> {
    const found: string[] = [];
    const limit = 1000;
    for (let offset = 0; ; offset += limit) {
      const page = await call(`list ${folder}`, null, () => bucket().list(folder, { limit, offset, sortBy: { column: 'name', order: 'asc' } }));
      for (const entry of page) {
        const key = `${folder}/${entry.name}`;
        if (entry.id === null) found.push(...(await listAll(key)));
        else found.push(key);
      }
      if (page.length < limit) return found;
    }
  }

  return {
    kind: 'supabase',
    description: `Supabase Storage ${where} (${opts.public ? 'public' : 'private, signed URLs'})`,
    async put(key, source, contentType, signal) {
      const bytes = Buffer.isBuffer(source) ? source.length : (await fs.promises.stat(source.file)).size;
      if (!Buffer.isBuffer(source) && bytes > opts.resumableAboveBytes) {
        try {
          await tusUpload({
            endpoint: `${opts.url}/storage/v1/upload/resumable`,
            key: opts.serviceRoleKey,
            bucket: opts.bucket,
            objectName: key,
            file: source.file,
            size: bytes,
            contentType,
            chunkSize: TUS_CHUNK_BYTES,
            retryDelays: opts.tusRetryDelays ?? [0, 1000, 3000, 5000, 10_000],
            signal,
          });
        } catch (err) {
          signal?.throwIfAborted();
          throw await classify(`upload ${key}`, null, err);
        }
      } else {
        const body = Buffer.isBuffer(source) ? source : await fs.promises.readFile(source.file);
        await call(`upload ${key}`, null, () => bucket().upload(key, body, { contentType, upsert: true, cacheControl: '3600' }), signal);
      }
      await fs.promises.rm(cacheFile(key), { force: true });
      return { url: await url(key), bytes };
    },
    async exists(key) {
      // the object's info, not HEAD: an answer to HEAD has no body, and the server answers nearly every
      // error with HTTP 400, so only a body's statusCode tells "not there" from a refused key or a busy database
      return call(`check ${key}`, null, async () => {
        const r = await bucket().info(key);
        if (!r.error) return { data: true, error: null };
        const f = failureOf(r.error);
        return f.code === 404 && !isBucketMissing(f) ? { data: false, error: null } : r;
      });
    },
    async localPath(key, signal) {
      const info = await call(`look up ${key}`, key, () => bucket().info(key), signal);
      const dest = cacheFile(key);
      // the copy is reused only for the same version of the object: another machine may have overwritten
      // it with a file of the same size (a corrected caption, a narration of the same length)
      const meta = info as { etag?: string; version?: string; last_modified?: string; lastModified?: string; size?: number };
      const version = JSON.stringify([meta.etag ?? null, meta.version ?? null, meta.last_modified ?? meta.lastModified ?? null, meta.size ?? null]);
      const stamp = `${dest}.version`;
      const cachedVersion = await fs.promises.readFile(stamp, 'utf8').catch(() => null);
      const cached = await fs.promises.stat(dest).catch(() => null);
      if (!cached || cachedVersion !== version || meta.size === undefined || cached.size !== meta.size) {
        await fs.promises.rm(stamp, { force: true });
        await download(key, dest, signal);
        await fs.promises.writeFile(stamp, version);
      }
      return dest;
    },
    url,
    async removePrefix(prefix) {
      const clean = prefix.replace(/\/+$/, '');
      const keys = [clean, ...(await listAll(clean))];
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000);
        await call(`remove ${batch.length} files under ${clean}`, null, () => bucket().remove(batch));
      }
      await fs.promises.rm(cacheFile(clean), { recursive: true, force: true });
    },
    async dropLocalCopies(prefix) {
      await fs.promises.rm(cacheFile(prefix.replace(/\/+$/, '')), { recursive: true, force: true });
    },
    async checkBucket() {
      const b = await call(`read ${where}`, null, () => client.storage.getBucket(opts.bucket), undefined, true);
      const mismatch = b.public !== opts.public ? `; the bucket is ${b.public ? 'public' : 'private'} but storage.public is ${opts.public}` : '';
      return `bucket ${b.name ?? opts.bucket} (${b.public ? 'public' : 'private'})${mismatch}`;
    },
  };
}
