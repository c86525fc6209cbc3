import { errorMessage } from '../errors.js';

/**
 * Reading Supabase Storage's refusals. The server answers most errors with HTTP 400 and puts the meaning
 * in the body's `statusCode` (`{"statusCode":"404","code":"NoSuchKey","error":"not_found",...}`; a 503
 * from the database also arrives as HTTP 400), so the code to act on is the body's, when it has one.
 */

export interface Failure {
  /** the HTTP status, when there was an answer */
  http?: number;
  /** what the failure means: the body's `statusCode`, else the HTTP status */
  code?: number;
  message: string;
}

export function failureOf(err: unknown): Failure {
  const e = err as { status?: number; statusCode?: string | number; message?: string; originalError?: { status?: number } } | null;
  const http = e?.status ?? e?.originalError?.status;
  const body = Number(e?.statusCode);
  return { http, code: Number.isInteger(body) && body >= 100 && body < 600 ? body : http, message: errorMessage(err) };
}

/** The key was refused or acts as someone else: a string that is no JWT, another project's key, row-level security. */
export function isKeyRefusal(f: Failure): boolean {
  return f.code === 401 || f.code === 403 || /invalid compact jws|signature verification failed|invalid jwt|jwt|invalid api key|unauthori[sz]ed|row-level security/i.test(f.message);
}

export const isBucketMissing = (f: Failure) => f.code === 404 && /bucket not found/i.test(f.message);
export const isNotFound = (f: Failure) => f.code === 404 || /not.?found/i.test(f.message);
/** No answer, a server error, a rate limit or a timeout: worth another try. */
export const isTransient = (f: Failure) => f.code === undefined || f.code >= 500 || f.code === 429 || f.code === 408;

/**
 * What the key says it is, read without verifying it: the `role` of a legacy JWT key (`service_role`,
 * `anon`), `publishable` or `secret` for the newer `sb_` keys, null when it is neither.
 */
export function keyRole(key: string): string | null {
  if (key.startsWith('sb_publishable_')) return 'publishable';
  if (key.startsWith('sb_secret_')) return 'secret';
  const parts = key.split('.');
  if (parts.length !== 3) return null;
  try {
    const role = (JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { role?: unknown }).role;
    return typeof role === 'string' ? role : null;
  } catch {
    return null;
  }
}

/** Why a key that is not the service role's cannot work, when the key itself tells; null when it may be one. */
export function notServiceRole(key: string): string | null {
  const role = keyRole(key);
  if (role === null || role === 'service_role' || role === 'secret') return null;
  return role === 'publishable' ? 'it is a publishable key' : `it is the ${role} key (role ${role})`;
}

export const KEY_FIX = 'SUPABASE_SERVICE_ROLE_KEY must be the service_role key (or a secret key) of the project at SUPABASE_URL: copy it from Project Settings > API keys';
