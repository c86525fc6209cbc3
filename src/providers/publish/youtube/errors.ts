import { DeferredError, PermanentError, RetryableError, hasNetworkCode } from '../../../errors.js';
import { retryDelaySeconds, seconds } from '../../google/retry.js';
import { AUTH_HINT } from './client.js';
import type { Call, QuotaCounter } from './quota.js';

/** What a failed YouTube or token call looks like, as far as deciding what to do goes. */
interface HttpFailure {
  status?: number;
  code?: string;
  message?: string;
  response?: { status?: number; data?: unknown; headers?: Headers | Record<string, string> };
}

// the project's daily quota; `uploadLimitExceeded` is the channel's own rolling limit (see classify)
const QUOTA = new Set(['quotaExceeded', 'dailyLimitExceeded']);
const RATE = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RATE_LIMIT_EXCEEDED']);

/** The `reason` of a Google API error body (`{ error: { errors: [{ reason }] } }`), or its OAuth `error`. */
export function errorReason(data: unknown): string | undefined {
  const d = data as { error?: string | { errors?: { reason?: string }[]; status?: string; message?: string } } | undefined;
  if (!d?.error) return undefined;
  if (typeof d.error === 'string') return d.error;
  return d.error.errors?.[0]?.reason ?? d.error.status;
}

function apiMessage(data: unknown): string | undefined {
  const d = data as { error?: { message?: string } | string; error_description?: string } | undefined;
  if (typeof d?.error === 'object') return d.error.message;
  return d?.error_description ?? (typeof d?.error === 'string' ? d.error : undefined);
}

function retryAfterHeader(headers: Headers | Record<string, string> | undefined): number | undefined {
  // node-fetch's Headers is not the global class: ask by shape
  return seconds(typeof (headers as Headers | undefined)?.get === 'function' ? (headers as Headers).get('retry-after') : (headers as Record<string, string> | undefined)?.['retry-after']);
}

/** Seconds from a `google.rpc.RetryInfo` in the body's `error.details` (`retryDelay: "30s"`), as Google sends with a 429. */
export function retryInfoSeconds(data: unknown): number | undefined {
  const details = (data as { error?: { details?: { '@type'?: string }[] } } | undefined)?.error?.details;
  const info = Array.isArray(details) ? details.find((d) => d?.['@type']?.endsWith('google.rpc.RetryInfo')) : undefined;
  return retryDelaySeconds(info);
}

export function invalidGrant(): PermanentError {
  return new PermanentError(
    `YouTube refused the stored authorisation (invalid_grant: the refresh token was revoked or expired; a consent screen left in "Testing" expires them after 7 days): ${AUTH_HINT} again`,
  );
}

export function isNetworkError(err: unknown): boolean {
  const e = err as HttpFailure;
  return hasNetworkCode(e) || /socket hang up|terminated|other side closed|aborted/i.test(e?.message ?? '');
}

/**
 * Turns a failure of `call` into the queue's terms: a revoked authorisation is permanent and says to run
 * `auth youtube`; quota, the channel's upload limit and rate limits wait (without spending attempts); 5xx
 * and network errors retry;
 * any other refusal is permanent with YouTube's own message.
 */
export async function classify(err: unknown, call: Call, quota: QuotaCounter): Promise<Error> {
  if (err instanceof PermanentError || err instanceof RetryableError) return err;
  const e = err as HttpFailure;
  const status = e?.response?.status ?? e?.status;
  const data = e?.response?.data;
  const reason = errorReason(data);
  const detail = apiMessage(data) ?? e?.message ?? String(err);
  if (reason === 'invalid_grant') return invalidGrant();
  if (reason === 'invalid_client' || reason === 'unauthorized_client') {
    return new PermanentError(`YouTube refused the OAuth client (${reason}): check YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET, then ${AUTH_HINT}`);
  }
  if (reason && QUOTA.has(reason)) return quota.exhaust(call, `YouTube answered ${reason}`);
  if (reason === 'uploadLimitExceeded') return quota.uploadLimit();
  if (status === 429 || (reason && RATE.has(reason))) {
    const wait = Math.ceil(retryInfoSeconds(data) ?? retryAfterHeader(e.response?.headers) ?? 300);
    return new DeferredError(`YouTube ${call}: rate limited (${reason ?? status}); trying again in ${wait}s`, wait);
  }
  if (status === 401) return new PermanentError(`YouTube ${call}: not authorised (${detail}): ${AUTH_HINT} again`);
  if ((status !== undefined && status >= 500) || isNetworkError(err)) {
    return new RetryableError(`YouTube ${call} failed: ${status ? `HTTP ${status} ` : ''}${detail}`, undefined, { cause: err });
  }
  return new PermanentError(`YouTube ${call} was refused${status ? ` (HTTP ${status}${reason ? `, ${reason}` : ''})` : ''}: ${detail}`, { cause: err });
}
