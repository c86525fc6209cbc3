import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for Google's OAuth endpoints and the YouTube Data API v3: the resumable upload
 * protocol (`uploadType=resumable`, `Location`, `308 Resume Incomplete` with `Range`), thumbnails.set,
 * captions.insert (multipart/related) and playlistItems.insert. The real clients are pointed at it.
 */

const UNIT = 256 * 1024;

export interface FakeVideo {
  id: string;
  resource: any;
  /** the file as received (empty with `discardBytes`) */
  bytes: Buffer;
  sha256: string;
  thumbnail?: Buffer;
  captions?: { snippet: any; body: string };
  playlistItems: string[];
}

interface Session {
  id: string;
  total: number;
  contentType: string;
  resource: any;
  chunks: Buffer[];
  hash: crypto.Hash;
  held: number;
  video?: FakeVideo;
}

export interface FakeYoutube {
  url: string;
  rootUrl: string;
  tokenUrl: string;
  authUrl: string;
  videos: FakeVideo[];
  sessions: Map<string, Session>;
  /** every request, `METHOD path` (with the query's uploadType when present) */
  requests: string[];
  /** bytes the upload PUTs carried in their bodies, in all */
  bytesReceived: number;
  /** bytes sent again although the session had acknowledged them */
  bytesResent: number;
  refreshTokens: Set<string>;
  /** keep only a hash of uploaded videos (for large files) */
  discardBytes?: boolean;
  /** cut the connection once the session holds this fraction of the file (once) */
  cutAt?: number;
  /** answer the next upload PUTs with these statuses (after reading their bodies) */
  failPuts: number[];
  /** after the cut, answer the next upload PUTs with these statuses */
  failPutsAfterCut: number[];
  /** answer the next requests to a path (e.g. `/upload/youtube/v3/thumbnails/set`) with these statuses */
  failPaths: Record<string, number[]>;
  /** do the next requests to a path, then cut the connection instead of answering (an answer lost on the way) */
  loseAnswers: Record<string, number>;
  /** answer videos.insert with this API error reason (e.g. quotaExceeded) */
  insertError?: { status: number; reason: string; message: string };
  /** codes issued by the fake consent page: code → { challenge, redirectUri, scope } */
  codes: Map<string, { challenge?: string; method?: string; redirectUri: string; scope: string }>;
  close(): Promise<void>;
}

function apiError(res: http.ServerResponse, status: number, reason: string, message: string, domain = 'youtube') {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: status, message, errors: [{ message, domain, reason }] } }));
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

const readBody = (req: http.IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });

/** Splits a multipart/related body into its parts' bodies. */
function multipartParts(body: Buffer, contentType: string): string[] {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1]?.replace(/"/g, '');
  if (!boundary) return [];
  return body
    .toString('utf8')
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => p.replace(/^\r\n/, '').split('\r\n\r\n').slice(1).join('\r\n\r\n').replace(/\r\n$/, ''));
}

export async function startFakeYoutube(): Promise<FakeYoutube> {
  const accessTokens = new Set<string>();
  let nextId = 1;
  const fake = {
    videos: [],
    sessions: new Map(),
    requests: [],
    bytesReceived: 0,
    bytesResent: 0,
    refreshTokens: new Set<string>(),
    failPuts: [],
    failPutsAfterCut: [],
    failPaths: {},
    loseAnswers: {},
    codes: new Map(),
  } as unknown as FakeYoutube;

  const issueAccess = () => {
    const t = `ya29.fake-${crypto.randomBytes(6).toString('hex')}`;
    accessTokens.add(t);
    return t;
  };

  async function token(req: http.IncomingMessage, res: http.ServerResponse) {
    const form = new URLSearchParams((await readBody(req)).toString());
    if (form.get('client_id') !== 'fake-client-id' || form.get('client_secret') !== 'fake-client-secret') {
      return json(res, 401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    }
    if (form.get('grant_type') === 'refresh_token') {
      if (!fake.refreshTokens.has(form.get('refresh_token') ?? '')) {
        return json(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      }
      return json(res, 200, { access_token: issueAccess(), expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/youtube.upload' });
    }
    if (form.get('grant_type') === 'authorization_code') {
      const issued = fake.codes.get(form.get('code') ?? '');
      if (!issued || issued.redirectUri !== form.get('redirect_uri')) return json(res, 400, { error: 'invalid_grant', error_description: 'Bad code or redirect_uri.' });
      if (issued.challenge) {
        const verifier = form.get('code_verifier') ?? '';
        const digest = crypto.createHash('sha256').update(verifier).digest('base64url');
        if (digest !== issued.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'code_verifier does not match.' });
      }
      fake.codes.delete(form.get('code')!);
      const refresh = `1//fake-refresh-${crypto.randomBytes(6).toString('hex')}`;
      fake.refreshTokens.add(refresh);
      return json(res, 200, { access_token: issueAccess(), refresh_token: refresh, expires_in: 3599, token_type: 'Bearer', scope: issued.scope });
    }
    return json(res, 400, { error: 'unsupported_grant_type' });
  }

  /** The consent page: approves at once and redirects to the app's loopback address with a code. */
  function consent(url: URL, res: http.ServerResponse) {
    const redirectUri = url.searchParams.get('redirect_uri') ?? '';
    const code = `4/fake-code-${crypto.randomBytes(4).toString('hex')}`;
    fake.codes.set(code, {
      challenge: url.searchParams.get('code_challenge') ?? undefined,
      method: url.searchParams.get('code_challenge_method') ?? undefined,
      redirectUri,
      scope: url.searchParams.get('scope') ?? '',
    });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', url.searchParams.get('state') ?? '');
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  function store(session: Session, bytes: Buffer) {
    session.hash.update(bytes);
    if (!fake.discardBytes) session.chunks.push(bytes);
  }

  async function putChunk(session: Session, req: http.IncomingMessage, res: http.ServerResponse) {
    const range = req.headers['content-range'] ?? '';
    const status = () => {
      if (session.video) return json(res, 200, session.video.resource);
      res.writeHead(308, session.held ? { range: `bytes=0-${session.held - 1}` } : {});
      res.end();
    };
    const query = /^bytes \*\/(\d+)$/.exec(range);
    if (query) {
      await readBody(req);
      return status();
    }
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(range);
    if (!m || Number(m[3]) !== session.total) return apiError(res, 400, 'badContentRange', `bad Content-Range: ${range}`);
    const start = Number(m[1]);
    if (start < session.held) fake.bytesResent += Math.min(session.held, Number(m[2]) + 1) - start;
    if (start > session.held) {
      await readBody(req);
      return apiError(res, 400, 'badContentRange', `expected bytes from ${session.held}`);
    }
    const fail = fake.failPuts.shift();
    const cutAt = fake.cutAt !== undefined ? Math.floor(fake.cutAt * session.total) : undefined;
    let pos = start;
    const kept: Buffer[] = [];
    for await (const d of req as AsyncIterable<Buffer>) {
      fake.bytesReceived += d.length;
      if (fail) continue;
      const fresh = d.subarray(Math.max(0, session.held - pos));
      kept.push(fresh);
      pos += d.length;
      if (cutAt !== undefined && session.held + Buffer.concat(kept).length >= cutAt) {
        // YouTube keeps what it received, in whole 256 KiB units, then the connection dies
        fake.cutAt = undefined;
        fake.failPuts.push(...fake.failPutsAfterCut);
        const all = Buffer.concat(kept);
        const keep = Math.floor((session.held + all.length) / UNIT) * UNIT - session.held;
        store(session, all.subarray(0, Math.max(0, keep)));
        session.held += Math.max(0, keep);
        req.socket.destroy();
        return;
      }
    }
    if (fail) return apiError(res, fail, 'backendError', 'Backend Error', 'global');
    const all = Buffer.concat(kept);
    store(session, all);
    session.held += all.length;
    if (session.held < session.total) return status();
    const id = `fakeVid${String(nextId++).padStart(4, '0')}`;
    const resource = { kind: 'youtube#video', id, snippet: session.resource.snippet, status: { uploadStatus: 'uploaded', ...session.resource.status } };
    session.video = { id, resource, bytes: Buffer.concat(session.chunks), sha256: session.hash.digest('hex'), playlistItems: [] };
    fake.videos.push(session.video);
    return json(res, 200, resource);
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const uploadType = url.searchParams.get('uploadType');
    fake.requests.push(`${req.method} ${url.pathname}${uploadType ? `?uploadType=${uploadType}` : ''}${req.headers['content-range'] ? ` ${req.headers['content-range']}` : ''}`);
    try {
      if (url.pathname === '/token' && req.method === 'POST') return await token(req, res);
      if (url.pathname === '/auth' && req.method === 'GET') return consent(url, res);
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer || !accessTokens.has(bearer)) {
        await readBody(req);
        return apiError(res, 401, 'authError', 'Invalid Credentials', 'global');
      }
      const failure = fake.failPaths[url.pathname]?.shift();
      if (failure) {
        await readBody(req);
        if (failure === 403) return apiError(res, 403, 'forbidden', 'The authenticated user does not have permissions to upload and set custom video thumbnails.');
        if (failure === 429) {
          res.setHeader('retry-after', '30');
          return apiError(res, 429, 'rateLimitExceeded', 'The request cannot be completed because you have exceeded your rate limit.', 'youtube.quota');
        }
        return apiError(res, failure, 'backendError', 'Backend Error', 'global');
      }
      const video = (id: string | null) => fake.videos.find((v) => v.id === id);
      if (url.pathname === '/upload/youtube/v3/videos' && req.method === 'POST' && uploadType === 'resumable') {
        const body = JSON.parse((await readBody(req)).toString() || '{}');
        if (fake.insertError) return apiError(res, fake.insertError.status, fake.insertError.reason, fake.insertError.message, 'youtube.quota');
        const total = Number(req.headers['x-upload-content-length']);
        const id = crypto.randomBytes(8).toString('hex');
        fake.sessions.set(id, { id, total, contentType: String(req.headers['x-upload-content-type']), resource: body, chunks: [], hash: crypto.createHash('sha256'), held: 0 });
        res.writeHead(200, { location: `${fake.url}/upload/youtube/v3/videos?uploadType=resumable&upload_id=${id}` });
        return res.end();
      }
      if (url.pathname === '/upload/youtube/v3/videos' && req.method === 'PUT') {
        const session = fake.sessions.get(url.searchParams.get('upload_id') ?? '');
        if (!session) return (await readBody(req), apiError(res, 404, 'notFound', 'upload session not found'));
        return await putChunk(session, req, res);
      }
      if (url.pathname === '/upload/youtube/v3/thumbnails/set' && req.method === 'POST') {
        const v = video(url.searchParams.get('videoId'));
        const body = await readBody(req);
        if (!v) return apiError(res, 404, 'videoNotFound', 'video not found');
        v.thumbnail = body;
        return json(res, 200, { kind: 'youtube#thumbnailSetResponse', items: [{ default: { url: `${fake.url}/vi/${v.id}/default.jpg` } }] });
      }
      if (url.pathname === '/upload/youtube/v3/captions' && req.method === 'POST') {
        const [meta, srt] = multipartParts(await readBody(req), String(req.headers['content-type']));
        const snippet = JSON.parse(meta ?? '{}').snippet;
        const v = video(snippet?.videoId);
        if (!v) return apiError(res, 404, 'videoNotFound', 'video not found');
        v.captions = { snippet, body: srt ?? '' };
        return json(res, 200, { kind: 'youtube#caption', id: `cap-${v.id}`, snippet });
      }
      if (url.pathname === '/youtube/v3/playlistItems' && req.method === 'POST') {
        const snippet = JSON.parse((await readBody(req)).toString()).snippet;
        const v = video(snippet?.resourceId?.videoId);
        if (!v) return apiError(res, 404, 'videoNotFound', 'video not found');
        v.playlistItems.push(snippet.playlistId);
        if (fake.loseAnswers[url.pathname]) {
          fake.loseAnswers[url.pathname]--;
          return req.socket.destroy();
        }
        return json(res, 200, { kind: 'youtube#playlistItem', id: `pli-${v.id}-${v.playlistItems.length}`, snippet });
      }
      if (url.pathname === '/youtube/v3/playlistItems' && req.method === 'GET') {
        // playlistItems.list: the playlistId filter, narrowed by videoId
        const playlistId = url.searchParams.get('playlistId');
        const videoId = url.searchParams.get('videoId');
        if (!playlistId) return apiError(res, 400, 'playlistIdRequired', 'playlistId is required');
        const items = fake.videos
          .filter((v) => !videoId || v.id === videoId)
          .flatMap((v) => v.playlistItems.map((p, i) => ({ p, id: `pli-${v.id}-${i + 1}`, videoId: v.id })))
          .filter((it) => it.p === playlistId)
          .map((it) => ({ kind: 'youtube#playlistItem', id: it.id }));
        return json(res, 200, { kind: 'youtube#playlistItemListResponse', items, pageInfo: { totalResults: items.length, resultsPerPage: items.length } });
      }
      await readBody(req);
      apiError(res, 404, 'notFound', `no route ${req.method} ${url.pathname}`);
    } catch (err) {
      if (!res.headersSent) apiError(res, 500, 'backendError', String(err));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  fake.rootUrl = `${fake.url}/`;
  fake.tokenUrl = `${fake.url}/token`;
  fake.authUrl = `${fake.url}/auth`;
  fake.close = () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
  return fake;
}
