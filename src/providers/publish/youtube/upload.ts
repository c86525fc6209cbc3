import fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { OAuth2Client } from 'google-auth-library';
import { RetryableError } from '../../../errors.js';
import { isNetworkError } from './errors.js';

/**
 * The resumable upload protocol of the YouTube Data API, over the authorised client's `request`
 * (`googleapis` would send the whole video as one multipart request). Open a session with
 * `uploadType=resumable`, PUT the file in chunks streamed from disk, and after a dropped connection or a
 * 5xx ask the session how much it holds (`Content-Range: bytes * /TOTAL` → `308` + `Range`) and go on
 * from there, never resending acknowledged bytes.
 */

export interface VideoResource {
  id: string;
  [key: string]: unknown;
}

/** The session is gone (404/410, expired after about a week): open a new one. No video was created. */
export class SessionGoneError extends Error {
  constructor(status: number) {
    super(`the upload session is gone (HTTP ${status})`);
    this.name = 'SessionGoneError';
  }
}

/** A refusal the upload cannot get past by resending; carries the response for classification. */
export class UploadRefused extends Error {
  constructor(readonly response: { status: number; data: unknown; headers: Headers }) {
    super(`the upload was refused (HTTP ${response.status})`);
    this.name = 'UploadRefused';
  }
}

export interface SendOptions {
  /** Bytes per PUT, a multiple of 256 KiB. */
  chunkBytes: number;
  signal: AbortSignal;
  /** In-process tries after a dropped connection or a 5xx before the job is handed back to the queue. Default 5. */
  retries?: number;
  /** First wait between those tries, doubling. Default 1000 ms. */
  backoffMs?: number;
  onProgress?: (sent: number, total: number) => void;
  /** The session was just opened: it holds nothing yet, no need to ask. */
  fresh?: boolean;
}

interface Answer {
  status: number;
  data: unknown;
  headers: Headers;
}

async function send(client: OAuth2Client, opts: { url: string; method: string; headers: Record<string, string>; data?: unknown; signal: AbortSignal }): Promise<Answer> {
  const res = await client.request({
    ...opts,
    responseType: 'text',
    validateStatus: () => true,
    retry: false,
    // a 308 here means "Resume Incomplete", not a redirect
    redirect: 'manual',
  } as Parameters<OAuth2Client['request']>[0]);
  const text = typeof res.data === 'string' ? res.data : '';
  let data: unknown = text;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, data, headers: res.headers as unknown as Headers };
}

/** Opens an upload session for a video of `size` bytes; answers the session URI. */
export async function openSession(
  client: OAuth2Client,
  rootUrl: string,
  resource: object,
  file: { size: number; contentType: string },
  signal: AbortSignal,
): Promise<string> {
  const url = new URL('upload/youtube/v3/videos', rootUrl.endsWith('/') ? rootUrl : rootUrl + '/');
  url.searchParams.set('uploadType', 'resumable');
  url.searchParams.set('part', 'snippet,status');
  const res = await send(client, {
    url: url.toString(),
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=UTF-8',
      'x-upload-content-length': String(file.size),
      'x-upload-content-type': file.contentType,
    },
    data: resource,
    signal,
  });
  const location = res.headers.get('location');
  if (res.status >= 200 && res.status < 300 && location) return location;
  throw new UploadRefused(res);
}

/** `Range: bytes=0-N` → N + 1 bytes held; no header → none. */
function heldBytes(range: string | null): number {
  const m = /bytes=0-(\d+)/.exec(range ?? '');
  return m ? Number(m[1]) + 1 : 0;
}

type Step = { done: VideoResource } | { held: number };

function interpret(res: Answer): Step {
  if (res.status === 200 || res.status === 201) {
    const video = res.data as VideoResource | null;
    if (!video?.id) throw new UploadRefused(res);
    return { done: video };
  }
  if (res.status === 308) return { held: heldBytes(res.headers.get('range')) };
  if (res.status === 404 || res.status === 410) throw new SessionGoneError(res.status);
  throw new UploadRefused(res);
}

/** Asks the session how many bytes it holds (or for the video, when it already has them all). */
export async function querySession(client: OAuth2Client, session: string, size: number, signal: AbortSignal): Promise<Step> {
  return interpret(await send(client, { url: session, method: 'PUT', headers: { 'content-length': '0', 'content-range': `bytes */${size}` }, signal }));
}

const transient = (err: unknown) =>
  isNetworkError(err) || (err instanceof UploadRefused && (err.response.status >= 500 || err.response.status === 408));

/**
 * Sends the file to the session from wherever the session stands, chunk by chunk, each chunk streamed
 * from disk (memory stays flat whatever the size). Resumes in-process after dropped connections and
 * 5xx answers; after `retries` of them in a row throws a RetryableError (the session survives for the
 * next attempt of the job).
 */
export async function sendFile(client: OAuth2Client, session: string, file: string, size: number, opts: SendOptions): Promise<VideoResource> {
  const retries = opts.retries ?? 5;
  let wait = opts.backoffMs ?? 1000;
  let failures = 0;
  let step: Step | null = opts.fresh ? { held: 0 } : null;
  for (;;) {
    opts.signal.throwIfAborted();
    try {
      if (!step) step = await querySession(client, session, size, opts.signal);
      if ('done' in step) return step.done;
      const start = step.held;
      opts.onProgress?.(start, size);
      const end = Math.min(start + opts.chunkBytes, size) - 1;
      const res = await send(client, {
        url: session,
        method: 'PUT',
        headers: { 'content-length': String(end - start + 1), 'content-range': `bytes ${start}-${end}/${size}` },
        data: fs.createReadStream(file, { start, end }),
        signal: opts.signal,
      });
      if (res.status === 401) {
        // the access token lapsed mid-upload: drop it so the next request refreshes it
        client.setCredentials({ refresh_token: client.credentials.refresh_token });
        step = null;
        continue;
      }
      step = interpret(res);
      if ('held' in step && step.held > start) failures = 0;
      else if ('held' in step) {
        // YouTube kept none of the chunk (a proxy cutting bodies short): a failure like any other, with backoff
        failures++;
        if (failures > retries) throw new RetryableError('the video upload makes no progress: YouTube keeps none of the bytes sent; the session is kept and the next attempt resumes it');
        await delay(wait, undefined, { signal: opts.signal });
        wait = Math.min(wait * 2, 60_000);
      }
    } catch (err) {
      if (opts.signal.aborted) throw opts.signal.reason;
      if (!transient(err)) throw err;
      failures++;
      if (failures > retries) {
        throw new RetryableError(`the video upload kept failing (${describe(err)}); the session is kept and the next attempt resumes it`, undefined, { cause: err });
      }
      await delay(wait, undefined, { signal: opts.signal });
      wait = Math.min(wait * 2, 60_000);
      step = null;
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof UploadRefused) return `HTTP ${err.response.status}`;
  return (err as Error).message;
}
