import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ArchivesConfig } from '../../../config/archives.js';
import { limiter } from '../../../concurrency.js';
import { PermanentError, RetryableError } from '../../../errors.js';
import { seconds } from '../../google/retry.js';

/** Answers kept between runs (in storage), so a retried job asks the archives nothing it asked before. */
export interface AnswerCache {
  get(key: string): Promise<Buffer | null>;
  put(key: string, bytes: Buffer): Promise<void>;
}

export const noCache: AnswerCache = { get: async () => null, put: async () => {} };

/** A file or an answer that is not there (404, 410): the caller skips that candidate. */
export class MissingError extends PermanentError {}

/** `check` throws on an answer that must not be kept (not JSON, an error body): it is then not cached. */
export type Get = (url: string, signal: AbortSignal, check?: (bytes: Buffer) => void) => Promise<Buffer>;

/**
 * A polite GET for one archive: one request at a time with `requestGapSeconds` between them, the
 * configured User-Agent on every request, answers cached by URL, 429 and 5xx retried after Retry-After
 * (or a doubling delay) while the archive waits as a whole. A wait longer than `retry.maxSeconds`, or
 * the last try failing, hands the job back to the queue (RetryableError).
 */
export function politeGet(archive: string, cfg: ArchivesConfig, cache: AnswerCache): Get {
  const one = limiter(1);
  let last = 0;
  const userAgent = cfg.userAgent;
  return async (url, signal, check) => {
    const key = `${archive}/${crypto.createHash('sha256').update(url).digest('hex').slice(0, 40)}`;
    const cached = await cache.get(key);
    if (cached) return cached;
    if (!userAgent) throw new PermanentError(`${archive}: archives.userAgent is not set; both archives ask for a User-Agent with a contact`);
    const bytes = await one(async () => {
      for (let attempt = 1; ; attempt++) {
        const gap = cfg.requestGapSeconds * 1000 - (Date.now() - last);
        if (gap > 0) await sleep(gap, undefined, { signal });
        last = Date.now();
        let res: Response;
        try {
          res = await fetch(url, { headers: { 'user-agent': userAgent, 'api-user-agent': userAgent }, signal });
        } catch (err) {
          if (signal.aborted) throw signal.reason;
          if (attempt >= cfg.retry.attempts) throw new RetryableError(`${archive} could not be reached (${(err as Error).message}): ${url}`);
          await sleep(cfg.retry.baseSeconds * 1000 * 2 ** (attempt - 1), undefined, { signal });
          continue;
        }
        if (res.ok) return Buffer.from(await res.arrayBuffer());
        const text = (await res.text()).replace(/\s+/g, ' ').slice(0, 200);
        if (res.status === 404 || res.status === 410) throw new MissingError(`${archive} has no ${url} (${res.status})`);
        if (res.status !== 429 && res.status < 500) throw new PermanentError(`${archive} refused ${url}: ${res.status} ${text}`);
        const told = seconds(res.headers.get('retry-after') ?? '');
        const wait = told ?? cfg.retry.baseSeconds * 2 ** (attempt - 1);
        if (wait > cfg.retry.maxSeconds || attempt >= cfg.retry.attempts) {
          throw new RetryableError(`${archive} answered ${res.status} ${attempt} time(s) (${text}); the job will try again later`, told);
        }
        await sleep(wait * 1000, undefined, { signal });
      }
    });
    check?.(bytes);
    await cache.put(key, bytes);
    return bytes;
  };
}

/** A JSON answer, or a PermanentError naming the archive when it is not JSON (an HTML page, a proxy's error). */
export function parseJson(archive: string, url: string, bytes: Buffer): any {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new PermanentError(`${archive} did not answer JSON for ${url} (starts "${bytes.toString('utf8', 0, 60).replace(/\s+/g, ' ')}"): check archives.* URLs`);
  }
}

/** Text of an HTML fragment (Commons' extmetadata values are HTML). */
export function plainText(html: unknown): string {
  if (typeof html !== 'string') return '';
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;/g, "'")
    .replace(/&lt;/g, '‹')
    .replace(/&gt;/g, '›')
    .replace(/\s+/g, ' ')
    .trim();
}
