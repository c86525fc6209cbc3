import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  INJECTED, type Refusal, THUMBNAIL_MAX_BYTES, badChunk, captionExists, captionRefusal, missingPart, partsOf, sendRefusal, thumbnailTooLarge, videoRefusal,
} from './youtube-rules.js';

/**
 * A loopback stand-in for Google's OAuth endpoints and the YouTube Data API v3: the resumable upload
 * protocol (`uploadType=resumable`, `Location`, `308 Resume Incomplete` with `Range`), thumbnails.set,
 * captions.insert (multipart/related) and playlistItems.insert. The real clients are pointed at it.
 * It refuses what YouTube refuses (youtube-rules.ts), with Google's error bodies: a missing `part`, a
 * chunk that is not a multiple of 256 KiB before the last, an unknown (404) or week-old (410) session,
 * an invalid title, description, tags or schedule, a thumbnail over 2 MB, a captions track without a
 * name or with the language and name of one the video has (409), and refresh tokens past their life.
 */

const WEEK_MS = 7 * 86_400_000;

const UNIT = 256 * 1024;

export interface FakeVideo {
  id: string;
  resource: any;
  /** the file as received (empty with `discardBytes`) */
  bytes: Buffer;
  sha256: string;
  thumbnail?: Buffer;
  /** the captions tracks inserted, in order */
  captions: { snippet: any; body: string }[];
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
  /** when it was opened, on the fake's clock */
  opened: number;
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
  /** when each refresh token was issued (fake clock); tokens added by a test count from the fake's start */
  refreshIssued: Map<string, number>;
  /** refresh tokens die this long after issue (a consent screen in "Testing": 7 days); default never */
  refreshTokenLifetimeMs?: number;
  /** moves the fake's clock on (sessions and refresh tokens age; access tokens are not aged) */
  advance(ms: number): void;
  /** keep only a hash of uploaded videos (for large files) */
  discardBytes?: boolean;
  /** cut the connection once the session holds this fraction of the file (once) */
  cutAt?: number;
  /** answer the next upload PUTs with these statuses (after reading their bodies) */
  failPuts: number[];
  /** after the cut, answer the next upload PUTs with these statuses */
  failPutsAfterCut: number[];
  /** answer the next requests to a path (e.g. `/upload/youtube/v3/thumbnails/set`) with these failures (youtube-rules INJECTED) */
  failPaths: Record<string, (keyof typeof INJECTED | number)[]>;
  /** do the next requests to a path, then cut the connection instead of answering (an answer lost on the way) */
  loseAnswers: Record<string, number>;
  /** answer videos.insert with this API error reason (e.g. quotaExceeded) */
  insertError?: { status: number; reason: string; message: string };
  /** codes issued by the fake consent page: code → { challenge, redirectUri, scope } */
  codes: Map<string, { challenge?: string; method?: string; redirectUri: string; scope: string }>;
  close(): Promise<void>;
}

function apiError(res: http.ServerResponse, status: number, reason: string, message: string, domain = 'youtube') {
  sendRefusal(res, { status, reason, message, domain });
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
  let clock = 0;
  const fake = {
    refreshIssued: new Map(),
    advance: (ms: number) => void (clock += ms),
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
      const refresh = form.get('refresh_token') ?? '';
      const expired = fake.refreshTokenLifetimeMs !== undefined && clock - (fake.refreshIssued.get(refresh) ?? 0) >= fake.refreshTokenLifetimeMs;
      if (!fake.refreshTokens.has(refresh) || expired) {
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
      fake.refreshIssued.set(refresh, clock);
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
    const last = Number(m[2]);
    const length = last - start + 1;
    if (Number(req.headers['content-length']) !== length) {
      await readBody(req);
      return apiError(res, 400, 'badContentRange', `Content-Length ${req.headers['content-length']} does not match Content-Range ${range}`, 'global');
    }
    if (last + 1 < session.total && length % UNIT !== 0) {
      await readBody(req);
      return sendRefusal(res, badChunk(length));
    }
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
    if (fail) return sendRefusal(res, INJECTED[fail] ?? { status: fail, reason: 'backendError', message: 'Backend Error', domain: 'global' });
    const all = Buffer.concat(kept);
    store(session, all);
    session.held += all.length;
    if (session.held < session.total) return status();
    const id = `fakeVid${String(nextId++).padStart(4, '0')}`;
    const resource = { kind: 'youtube#video', id, snippet: session.resource.snippet, status: { uploadStatus: 'uploaded', ...session.resource.status } };
    session.video = { id, resource, bytes: Buffer.concat(session.chunks), sha256: session.hash.digest('hex'), captions: [], playlistItems: [] };
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
      if (failure !== undefined) {
        await readBody(req);
        return sendRefusal(res, INJECTED[failure] ?? { status: Number(failure), reason: 'backendError', message: 'Backend Error', domain: 'global' });
      }
      const refuse = async (r: Refusal) => (await readBody(req), sendRefusal(res, r));
      // an upload path takes an uploadType; the API methods with a resource take `part`
      if (url.pathname.startsWith('/upload/') && req.method === 'POST' && !uploadType) {
        return refuse({ status: 400, reason: 'badRequest', domain: 'global', message: 'Upload requests must include an uploadType URL parameter and a URL path beginning with /upload/' });
      }
      const needsPart = req.method !== 'PUT' && /^\/(upload\/)?youtube\/v3\/(videos|captions|playlistItems)$/.test(url.pathname);
      if (needsPart && !url.searchParams.get('part')) return refuse(missingPart);
      const video = (id: string | null) => fake.videos.find((v) => v.id === id);
      if (url.pathname === '/upload/youtube/v3/videos' && req.method === 'POST' && uploadType === 'resumable') {
        const body = partsOf(JSON.parse((await readBody(req)).toString() || '{}'), url.searchParams.get('part')!);
        if (fake.insertError) return apiError(res, fake.insertError.status, fake.insertError.reason, fake.insertError.message, 'youtube.quota');
        const invalid = videoRefusal(body);
        if (invalid) return sendRefusal(res, invalid);
        const total = Number(req.headers['x-upload-content-length']);
        const id = crypto.randomBytes(8).toString('hex');
        fake.sessions.set(id, { id, total, contentType: String(req.headers['x-upload-content-type']), resource: body, chunks: [], hash: crypto.createHash('sha256'), held: 0, opened: clock });
        res.writeHead(200, { location: `${fake.url}/upload/youtube/v3/videos?uploadType=resumable&upload_id=${id}` });
        return res.end();
      }
      if (url.pathname === '/upload/youtube/v3/videos' && req.method === 'PUT') {
        const session = fake.sessions.get(url.searchParams.get('upload_id') ?? '');
        if (!session) return refuse({ status: 404, reason: 'notFound', domain: 'global', message: 'Not Found' });
        // a session lives about a week
        if (clock - session.opened >= WEEK_MS) return refuse({ status: 410, reason: 'gone', domain: 'global', message: 'The upload session has expired.' });
        return await putChunk(session, req, res);
      }
      if (url.pathname === '/upload/youtube/v3/thumbnails/set' && req.method === 'POST') {
        const v = video(url.searchParams.get('videoId'));
        const body = await readBody(req);
        if (!v) return apiError(res, 404, 'videoNotFound', 'video not found');
        if (body.length > THUMBNAIL_MAX_BYTES) return sendRefusal(res, thumbnailTooLarge);
        if (!body.length) return apiError(res, 400, 'mediaBodyRequired', 'The request does not include the image content.');
        v.thumbnail = body;
        return json(res, 200, { kind: 'youtube#thumbnailSetResponse', items: [{ default: { url: `${fake.url}/vi/${v.id}/default.jpg` } }] });
      }
      if (url.pathname === '/upload/youtube/v3/captions' && req.method === 'POST') {
        const [meta, srt] = multipartParts(await readBody(req), String(req.headers['content-type']));
        const snippet = JSON.parse(meta ?? '{}').snippet;
        const invalid = captionRefusal(snippet, srt ?? '');
        if (invalid) return sendRefusal(res, invalid);
        const v = video(snippet.videoId);
        if (!v) return apiError(res, 404, 'videoNotFound', 'video not found');
        if (v.captions.some((c) => c.snippet.language === snippet.language && c.snippet.name === snippet.name)) return sendRefusal(res, captionExists);
        v.captions.push({ snippet, body: srt ?? '' });
        if (fake.loseAnswers[url.pathname]) {
          fake.loseAnswers[url.pathname]--;
          return req.socket.destroy();
        }
        return json(res, 200, { kind: 'youtube#caption', id: `cap-${v.id}-${v.captions.length}`, snippet });
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
