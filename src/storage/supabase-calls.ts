import { setTimeout as sleep } from 'node:timers/promises';
import type { SupabaseClient } from '@supabase/supabase-js';
import { PermanentError, RetryableError } from '../errors.js';
import { KEY_FIX, failureOf, isBucketMissing, isKeyRefusal, isNotFound, isTransient, notServiceRole } from './supabase-errors.js';

/**
 * One Supabase Storage call, retried on transient failures with backoff; any other failure becomes an
 * error that says what to fix (refusals permanent, the rest retryable).
 */
export function supabaseCalls(client: SupabaseClient, opts: { bucket: string; serviceRoleKey: string; where: string; retry: { attempts: number; baseMs: number } }) {
  const { where, retry } = opts;
  const refusedKey = (what: string, code: string, detail: string, cause: unknown) =>
    new PermanentError(`Supabase Storage refused to ${what}${code}: ${detail}. ${KEY_FIX}`, { cause });

  /** What went wrong, as an error that says what to fix; refusals are permanent, the rest retryable. */
  async function classify(what: string, key: string | null, err: unknown, bucketRoute = false): Promise<Error> {
    const f = failureOf(err);
    const code = f.http === undefined ? '' : f.code !== f.http ? ` (HTTP ${f.http}, statusCode ${f.code})` : ` (HTTP ${f.http})`;
    if (isKeyRefusal(f)) return refusedKey(what, code, f.message, err);
    if (isBucketMissing(f)) return whyNoBucket(what, code, err, bucketRoute);
    if (isNotFound(f) && key) {
      return new PermanentError(`stored file ${key} is missing from Supabase Storage (${where})${code}: the stage that makes it has not run, or the file was deleted; \`lost-archives retry\` from that stage makes it again`, { cause: err });
    }
    if (f.code === 413 || /too large|maximum allowed size/i.test(f.message)) {
      return new PermanentError(`Supabase Storage refused ${key ?? 'a file'} as too large${code}: raise the bucket's or the project's file size limit (the Free plan caps files at 50 MB)`, { cause: err });
    }
    if (!isTransient(f)) return new PermanentError(`Supabase Storage could not ${what}${code}: ${f.message}`, { cause: err });
    return new RetryableError(`Supabase Storage could not ${what}${code}: ${f.message} (transient; the job will be retried)`, undefined, { cause: err });
  }

  /**
   * "Bucket not found" is also all a key that is not the service role's gets from a private bucket's read
   * routes. Which it is: the key's own role when it says, else the bucket route (which checks the key).
   */
  async function whyNoBucket(what: string, code: string, cause: unknown, bucketRoute: boolean): Promise<Error> {
    const role = notServiceRole(opts.serviceRoleKey);
    if (role) return refusedKey(what, code, `Bucket not found (${role}, which sees a private bucket as missing)`, cause);
    if (!bucketRoute) {
      const r = await client.storage.getBucket(opts.bucket).catch((error: unknown) => ({ data: null, error }));
      const f = r.error ? failureOf(r.error) : null;
      if (!f) return refusedKey(what, code, 'Bucket not found, though the bucket exists (this key cannot see it)', cause);
      if (isKeyRefusal(f)) return refusedKey(what, code, `Bucket not found (the key was refused: ${f.message})`, cause);
      if (isTransient(f)) return new RetryableError(`Supabase Storage could not ${what}${code}: Bucket not found, and the bucket's settings did not answer (${f.message}); the job will be retried`, undefined, { cause });
    }
    return new PermanentError(`Supabase Storage ${where} does not exist${code}: create it (Storage > New bucket) or set storage.bucket`, { cause });
  }

  /** Runs one call, retrying transient failures with backoff; anything else is classified at once. */
  async function call<T>(what: string, key: string | null, fn: () => Promise<{ data: T | null; error: unknown }>, signal?: AbortSignal, bucketRoute = false): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let error: unknown;
      signal?.throwIfAborted();
      try {
        const r = await fn();
        if (!r.error) return r.data as T;
        error = r.error;
      } catch (err) {
        error = err;
      }
      // stopped on purpose: not a storage failure, and nothing to retry
      signal?.throwIfAborted();
      const classified = await classify(what, key, error, bucketRoute);
      if (classified instanceof PermanentError || attempt >= retry.attempts) throw classified;
      await sleep(retry.baseMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5), undefined, { signal });
    }
  }

  return { classify, call };
}
