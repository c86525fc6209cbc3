import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { identify, signKey } from './supabase-auth.js';

/**
 * A loopback Supabase Storage API: the paths supabase-js's storage client and tus-js-client call
 * (`/storage/v1/object/...`, `/bucket/...`, `/upload/resumable`), with objects kept in memory.
 * It answers as the open-source server does: errors with HTTP 400 (500 stays 500) and their meaning in
 * the body's `statusCode` (`{"statusCode":"404","code":"NoSuchKey","error":"not_found",...}`); TUS
 * errors with their own status and a text body; a key that is no JWT refused with "Invalid Compact
 * JWS", except on read routes, where it reads as anon and private buckets are "Bucket not found".
 */

export interface StoredObject {
  bytes: Buffer;
  contentType: string;
  cacheControl: string | undefined;
  etag: string;
  updated: string;
}

export interface FakeStorage {
  url: string;
  /** the service role key (a JWT signed with the fake project's secret, unless a test gave its own) */
  key: string;
  /** the fake project's anon key: a good JWT for role anon */
  anonKey: string;
  /** `bucket/key` → object */
  objects: Map<string, StoredObject>;
  buckets: Map<string, { public: boolean }>;
  requests: { method: string; path: string; headers: http.IncomingHttpHeaders }[];
  /** bytes of each TUS chunk the server accepted, in order */
  tusChunks: number[];
  /** TUS requests whose connection the fake dropped mid-body */
  tusDrops: number;
  /** drop the connection of the next N TUS PATCH requests half-way through their body */
  dropNextTusPatches: number;
  /** reset the connection of the next N requests (any path) before answering */
  resetNext: number;
  /** requests (`METHOD /path`) matching this are never finished: a download gets its headers and half its bytes, anything else nothing */
  stall: RegExp | null;
  /** how many requests were stalled */
  stalled: number;
  /** answer the next N requests (any path) with this status */
  failNext: { count: number; status: number };
  close(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
/** The server's error answer: HTTP 400 (500 stays 500), the meaning in `statusCode`. */
const apiError = (res: http.ServerResponse, statusCode: number, code: string, error: string, message: string) =>
  json(res, statusCode === 500 ? 500 : 400, { statusCode: String(statusCode), code, error, message });
const noBucket = (res: http.ServerResponse) => apiError(res, 404, 'NoSuchBucket', 'Bucket not found', 'Bucket not found');
const noObject = (res: http.ServerResponse) => apiError(res, 404, 'NoSuchKey', 'not_found', 'Object not found');
const duplicate = (res: http.ServerResponse) => apiError(res, 409, 'KeyAlreadyExists', 'Duplicate', 'The resource already exists');
const RLS = 'new row violates row-level security policy';

interface TusUpload {
  bucket: string;
  name: string;
  length: number;
  parts: Buffer[];
  offset: number;
  contentType: string;
  cacheControl: string;
  upsert: boolean;
}

function tusMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (header ?? '').split(',')) {
    const [k, v] = pair.trim().split(' ');
    if (k) out[k] = v ? Buffer.from(v, 'base64').toString('utf8') : '';
  }
  return out;
}

export async function startFakeSupabaseStorage(opts: { buckets?: Record<string, { public: boolean }>; key?: string } = {}): Promise<FakeStorage> {
  const secret = crypto.randomBytes(16).toString('hex');
  const key = opts.key ?? signKey(secret, 'service_role');
  const state: Omit<FakeStorage, 'url' | 'close'> = {
    key,
    anonKey: signKey(secret, 'anon'),
    objects: new Map(),
    buckets: new Map(Object.entries(opts.buckets ?? { archive: { public: false } })),
    requests: [],
    tusChunks: [],
    tusDrops: 0,
    dropNextTusPatches: 0,
    resetNext: 0,
    stall: null,
    stalled: 0,
    failNext: { count: 0, status: 503 },
  };
  const uploads = new Map<string, TusUpload>();
  const tokens = new Map<string, string>();
  let base = '';

  const store = (bucket: string, name: string, bytes: Buffer, contentType: string, cacheControl: string | undefined) => {
    state.objects.set(`${bucket}/${name}`, { bytes, contentType, cacheControl, etag: crypto.createHash('md5').update(bytes).digest('hex'), updated: new Date().toISOString() });
  };

  const tus = (req: http.IncomingMessage, res: http.ServerResponse, rest: string, body: Buffer, service: boolean) => {
    const tusHeaders = { 'tus-resumable': '1.0.0' };
    // the TUS server's own errors carry their status and a text body
    const tusError = (status: number, text: string) => res.writeHead(status, { ...tusHeaders, 'content-type': 'text/plain' }).end(text);
    const accept = (u: TusUpload) => {
      if (body.length) {
        if (Number(req.headers['upload-offset'] ?? 0) !== u.offset) return res.writeHead(409, tusHeaders).end('offset mismatch');
        u.parts.push(body);
        u.offset += body.length;
        state.tusChunks.push(body.length);
      }
      if (u.offset === u.length) store(u.bucket, u.name, Buffer.concat(u.parts), u.contentType, u.cacheControl);
    };
    if (req.method === 'POST' && rest === '') {
      const meta = tusMetadata(req.headers['upload-metadata'] as string | undefined);
      if (!meta.objectName || !meta.bucketName) return tusError(400, 'Metadata header is required');
      if (!service) return tusError(403, RLS);
      if (!state.buckets.has(meta.bucketName)) return tusError(404, 'Bucket not found');
      const upsert = req.headers['x-upsert'] === 'true';
      if (!upsert && state.objects.has(`${meta.bucketName}/${meta.objectName}`)) return tusError(409, 'The resource already exists');
      const id = crypto.randomUUID();
      const u: TusUpload = { bucket: meta.bucketName, name: meta.objectName, length: Number(req.headers['upload-length']), parts: [], offset: 0, contentType: meta.contentType ?? 'application/octet-stream', cacheControl: meta.cacheControl ?? '3600', upsert };
      uploads.set(id, u);
      accept(u);
      res.writeHead(201, { ...tusHeaders, location: `${base}/storage/v1/upload/resumable/${id}`, 'upload-offset': String(u.offset) });
      return res.end();
    }
    const u = uploads.get(rest.replace(/^\//, ''));
    if (!u) return tusError(404, 'Upload not found');
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...tusHeaders, 'upload-offset': String(u.offset), 'upload-length': String(u.length), 'cache-control': 'no-store' });
      return res.end();
    }
    if (req.method === 'PATCH') {
      if (!service) return tusError(403, RLS);
      accept(u);
      res.writeHead(204, { ...tusHeaders, 'upload-offset': String(u.offset) });
      return res.end();
    }
    res.writeHead(405).end();
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const p = decodeURIComponent(url.pathname);
    state.requests.push({ method: req.method ?? 'GET', path: p, headers: req.headers });
    if (state.resetNext > 0) {
      state.resetNext--;
      return req.socket.resetAndDestroy();
    }
    if (state.stall?.test(`${req.method} ${p}`)) {
      state.stalled++;
      const o = req.method === 'GET' ? state.objects.get(p.replace(/^\/storage\/v1\/object\//, '')) : undefined;
      if (o) {
        res.writeHead(200, { 'content-type': o.contentType, 'content-length': String(o.bytes.length) });
        res.write(o.bytes.subarray(0, o.bytes.length >> 1));
      }
      return;
    }
    if (state.failNext.count > 0) {
      state.failNext.count--;
      return apiError(res, state.failNext.status, 'InternalError', 'Injected', `injected failure ${state.failNext.status}`);
    }
    const noRoute = () => json(res, 404, { statusCode: 404, error: 'Not Found', message: `Route ${req.method}:${p} not found` });
    if (!p.startsWith('/storage/v1/')) return noRoute();
    const route = p.slice('/storage/v1'.length);
    // signed and public URLs are fetched without the key
    let m = /^\/object\/sign\/([^/]+)\/(.+)$/.exec(route);
    if (req.method === 'GET' && m) {
      if (tokens.get(url.searchParams.get('token') ?? '') !== `${m[1]}/${m[2]}`) return apiError(res, 400, 'InvalidJWT', 'InvalidJWT', 'invalid signature');
      return sendObject(res, m[1], m[2], false);
    }
    m = /^\/object\/public\/([^/]+)\/(.+)$/.exec(route);
    if (req.method === 'GET' && m) {
      if (!state.buckets.get(m[1])?.public) return noObject(res);
      return sendObject(res, m[1], m[2], false);
    }
    // read routes let a bad key through as anon; the others refuse it
    const read = (req.method === 'GET' || req.method === 'HEAD') && /^\/object\/(?!sign\/|public\/|list\/)[^/]+\/.+$/.test(route);
    const caller = identify(req.headers.authorization, key, secret);
    if ('invalid' in caller && !read) return apiError(res, 403, 'AccessDenied', 'Unauthorized', caller.invalid);
    const service = 'role' in caller && caller.role === 'service_role';
    // row-level security: anything but the service role sees public buckets only
    const visible = (bucket: string) => state.buckets.has(bucket) && (service || state.buckets.get(bucket)!.public);
    if (route === '/upload/resumable' || route.startsWith('/upload/resumable/')) return tus(req, res, route.slice('/upload/resumable'.length), body, service);
    m = /^\/bucket\/([^/]+)$/.exec(route);
    if (m && req.method === 'GET') {
      const b = state.buckets.get(m[1]);
      return visible(m[1]) ? json(res, 200, { id: m[1], name: m[1], public: b!.public, created_at: new Date(0).toISOString() }) : noBucket(res);
    }
    m = /^\/object\/info\/([^/]+)\/(.+)$/.exec(route);
    if (m && req.method === 'GET') {
      if (!visible(m[1])) return noBucket(res);
      const o = state.objects.get(`${m[1]}/${m[2]}`);
      if (!o) return noObject(res);
      return json(res, 200, { id: o.etag, version: '1', name: m[2], bucket_id: m[1], size: o.bytes.length, content_type: o.contentType, cache_control: o.cacheControl, etag: o.etag, last_modified: o.updated, created_at: o.updated });
    }
    m = /^\/object\/sign\/([^/]+)\/(.+)$/.exec(route);
    if (m && req.method === 'POST') {
      if (!visible(m[1])) return noBucket(res);
      if (!state.objects.has(`${m[1]}/${m[2]}`)) return noObject(res);
      const token = crypto.randomBytes(12).toString('hex');
      tokens.set(token, `${m[1]}/${m[2]}`);
      return json(res, 200, { signedURL: `/object/sign/${m[1]}/${m[2]}?token=${token}` });
    }
    m = /^\/object\/list\/([^/]+)$/.exec(route);
    if (m && req.method === 'POST') {
      if (!state.buckets.has(m[1])) return noBucket(res);
      // row-level security hides the objects of a private bucket: an empty list, not an error
      if (!visible(m[1])) return json(res, 200, []);
      const q = JSON.parse(body.toString('utf8')) as { prefix: string; limit: number; offset: number };
      const folder = q.prefix ? `${q.prefix.replace(/\/+$/, '')}/` : '';
      const entries = new Map<string, { name: string; id: string | null; metadata: unknown }>();
      for (const [k, o] of state.objects) {
        if (!k.startsWith(`${m[1]}/${folder}`)) continue;
        const rest = k.slice(m[1].length + 1 + folder.length);
        const [first, ...more] = rest.split('/');
        entries.set(first, more.length ? { name: first, id: null, metadata: null } : { name: first, id: o.etag, metadata: { size: o.bytes.length, mimetype: o.contentType } });
      }
      const sorted = [...entries.values()].sort((a, b) => a.name.localeCompare(b.name));
      return json(res, 200, sorted.slice(q.offset ?? 0, (q.offset ?? 0) + (q.limit ?? 100)));
    }
    m = /^\/object\/([^/]+)$/.exec(route);
    if (m && req.method === 'DELETE') {
      const { prefixes } = JSON.parse(body.toString('utf8')) as { prefixes: string[] };
      if (!service) return json(res, 200, []);
      const removed = prefixes.filter((n) => state.objects.delete(`${m![1]}/${n}`)).map((name) => ({ name, bucket_id: m![1] }));
      return json(res, 200, removed);
    }
    m = /^\/object\/([^/]+)\/(.+)$/.exec(route);
    if (m) {
      const [, bucket, name] = m;
      if (req.method === 'POST' || req.method === 'PUT') {
        if (!service) return apiError(res, 403, 'AccessDenied', 'Unauthorized', RLS);
        if (!state.buckets.has(bucket)) return noBucket(res);
        if (req.method === 'POST' && req.headers['x-upsert'] !== 'true' && state.objects.has(`${bucket}/${name}`)) return duplicate(res);
        const cache = /max-age=(\d+)/.exec(String(req.headers['cache-control'] ?? ''))?.[1];
        store(bucket, name, body, String(req.headers['content-type'] ?? 'text/plain;charset=UTF-8'), cache);
        return json(res, 200, { Key: `${bucket}/${name}`, Id: state.objects.get(`${bucket}/${name}`)!.etag });
      }
      if (req.method === 'HEAD' || req.method === 'GET') {
        if (!visible(bucket)) return req.method === 'HEAD' ? res.writeHead(400).end() : noBucket(res);
        return sendObject(res, bucket, name, req.method === 'HEAD');
      }
    }
    return noRoute();
  };

  const sendObject = (res: http.ServerResponse, bucket: string, name: string, headOnly: boolean) => {
    const o = state.objects.get(`${bucket}/${name}`);
    if (!o) {
      // an error answer to HEAD keeps its status and drops its body
      if (headOnly) return res.writeHead(400).end();
      return noObject(res);
    }
    res.writeHead(200, { 'content-type': o.contentType, 'content-length': String(o.bytes.length), etag: `"${o.etag}"` });
    res.end(headOnly ? undefined : o.bytes);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const dropping = req.method === 'PATCH' && (req.url ?? '').includes('/upload/resumable/') && state.dropNextTusPatches > 0;
    if (dropping) state.dropNextTusPatches--;
    const length = Number(req.headers['content-length'] ?? 0);
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      received += c.length;
      if (dropping && received >= length / 2) {
        state.tusDrops++;
        req.socket.destroy();
      }
    });
    req.on('end', () => {
      if (dropping) return;
      try {
        handle(req, res, Buffer.concat(chunks));
      } catch (err) {
        apiError(res, 500, 'InternalError', 'internal', `fake failed: ${(err as Error).message}`);
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state as FakeStorage, {
    url: base,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  });
}
