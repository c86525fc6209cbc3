import { setTimeout as delay } from 'node:timers/promises';
import { PermanentError, RetryableError, hasNetworkCode } from '../../errors.js';

/**
 * The one retry policy of the Google providers. Any error of @google/genai (ApiError with an HTTP
 * `status` and the JSON body as message), of google-gax (GoogleError with a gRPC `code`), of gaxios
 * (`response.status` and headers) or of the network is classified here:
 * - 408, 429, 5xx and network failures heal by waiting: retried within the call, with exponential
 *   backoff and jitter, waiting at least as long as Retry-After (header) or the body's
 *   `type.googleapis.com/google.rpc.RetryInfo` detail asks (`retryDelay`, a Duration: "17s" in JSON;
 *   google.rpc.RetryInfo: "clients should wait until retry_delay amount of time has passed ... then use
 *   an exponential backoff"); when the tries run out, a RetryableError hands the job back to the queue
 *   with the wait the server asked for;
 * - other 4xx (bad key, refused content, unknown model or voice) cannot heal: a PermanentError that
 *   says what to fix fails the job at once.
 */

export interface RetryPolicy {
  /** tries per call, the first included */
  attempts: number;
  baseSeconds: number;
  maxSeconds: number;
}

export interface CallInfo {
  /** `Gemini` or `Cloud TTS` */
  service: string;
  /** what the call was for, in the operator's words: "the script", "the still of scene 3" */
  what: string;
  /** the config key that names the model or voice, and its value */
  setting?: { key: string; value: string };
  /** how the credentials are given, for 401/403 */
  credentials: string;
  /** the likely cause of a 404 besides a retired id (a Vertex AI location that does not serve the model) */
  notFound?: string;
}

// gRPC status codes (google-gax) to the HTTP status Google maps them to
const GRPC_TO_HTTP: Record<number, number> = { 1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401 };

interface Described {
  status: number | null;
  reason: string;
  message: string;
  retryAfterSeconds?: number;
}

/** Seconds a `google.rpc.RetryInfo` detail asks to wait (`retryDelay` as "17s" in JSON, or `{ seconds, nanos }` over gRPC). */
export function retryDelaySeconds(detail: unknown): number | undefined {
  const d = (detail as { retryDelay?: unknown } | undefined)?.retryDelay as { seconds?: unknown; nanos?: unknown } | string | undefined;
  if (d !== null && typeof d === 'object') return d.seconds === undefined ? undefined : Number(d.seconds) + Number(d.nanos ?? 0) / 1e9;
  return seconds(d);
}

export function seconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const s = value.trim();
  if (/^\d+(\.\d+)?s?$/.test(s)) return Number(s.replace(/s$/, ''));
  const at = Date.parse(s); // Retry-After may be an HTTP date
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

/** Status, Google's reason and message, and the wait the server asked for, from any client's error. */
export function describe(err: unknown): Described {
  const e = err as Record<string, any>;
  let status: number | null = typeof e?.status === 'number' ? e.status : null;
  if (status === null && typeof e?.response?.status === 'number') status = e.response.status;
  if (status === null && typeof e?.code === 'number') status = GRPC_TO_HTTP[e.code] ?? null;
  let message = typeof e?.message === 'string' ? (e.message as string) : String(err);
  let reason = '';
  let details: any[] = Array.isArray(e?.statusDetails) ? e.statusDetails : Array.isArray(e?.details) ? e.details : [];
  let retryAfterSeconds: number | undefined;
  // @google/genai puts the JSON body in the message: {"error": {"code", "message", "status", "details"}}
  try {
    const body = JSON.parse(message);
    const inner = body?.error ?? body;
    if (inner && typeof inner === 'object') {
      if (typeof inner.message === 'string') message = inner.message;
      if (typeof inner.status === 'string') reason = inner.status;
      if (Array.isArray(inner.details)) details = inner.details;
    }
  } catch {
    /* not JSON */
  }
  if (!reason && typeof e?.reason === 'string') reason = e.reason;
  for (const d of details) {
    if (typeof d?.reason === 'string' && !reason.includes(d.reason)) reason = reason ? `${reason}/${d.reason}` : d.reason;
    const delay = retryDelaySeconds(d);
    if (delay !== undefined) retryAfterSeconds = delay;
  }
  const headers = e?.response?.headers;
  const header = typeof headers?.get === 'function' ? headers.get('retry-after') : headers?.['retry-after'];
  retryAfterSeconds = seconds(header) ?? retryAfterSeconds;
  if (status === null && (hasNetworkCode(e) || /fetch failed|socket hang up|network/i.test(message))) {
    reason = reason || String(e?.cause?.code ?? e?.code ?? 'network error');
  }
  return { status, reason, message: message.replace(/\s+/g, ' ').trim().slice(0, 300), retryAfterSeconds };
}

function isNetwork(err: unknown, d: Described): boolean {
  const e = err as Record<string, any>;
  return (
    d.status === null &&
    (hasNetworkCode(e) || e?.name === 'FetchError' || /fetch failed|socket hang up|premature close/i.test(d.message))
  );
}

/** RetryableError, PermanentError (with what to fix), or the error itself when it is an abort. */
export function classify(err: unknown, info: CallInfo): Error {
  if (err instanceof PermanentError || err instanceof RetryableError) return err;
  if ((err as Error)?.name === 'AbortError') return err as Error;
  const d = describe(err);
  const code = d.status ? `${d.status}${d.reason ? ` ${d.reason}` : ''}` : d.reason || 'no answer';
  const head = `${info.service} failed on ${info.what} (${code}: ${d.message})`;
  if (isNetwork(err, d)) return new RetryableError(`${info.service} could not be reached for ${info.what} (${d.reason}: ${d.message})`, undefined, { cause: err });
  if (d.status === null) return new PermanentError(`${head}; this is unexpected: run with --verbose and report it`, { cause: err });
  if (d.status === 408 || d.status === 429 || d.status >= 500) {
    const wait = d.status === 429 ? 'quota or rate limit reached; it retries by itself, or raise the quota in the Google Cloud console' : 'the service is unavailable; it retries by itself';
    return new RetryableError(`${head}; ${wait}`, d.retryAfterSeconds, { cause: err });
  }
  const text = `${d.reason} ${d.message}`;
  let fix: string;
  if (d.status === 401 || d.status === 403 || /API_KEY_INVALID|API key not valid|PERMISSION_DENIED|UNAUTHENTICATED|SERVICE_DISABLED|invalid_grant|invalid_token/i.test(text)) {
    fix = `the credentials were refused: ${info.credentials}`;
  } else if (d.status === 404 || /not found|NOT_FOUND/i.test(text)) {
    fix = info.setting ? `${info.setting.key} is "${info.setting.value}", which the service does not know (retired?): set a current one in the config` : 'check the endpoint in google.endpoints';
    if (info.notFound) fix = `${info.notFound}; or else ${fix}`;
  } else if (/voice/i.test(text) && info.setting) {
    fix = `check ${info.setting.key} ("${info.setting.value}") against the voice list of Cloud TTS`;
  } else if (info.setting && /Search Grounding is not supported|JSON mode is not enabled/i.test(text)) {
    fix = `${info.setting.key} is "${info.setting.value}", which does not take Grounding with Google Search with structured output (the writer needs both): set a Gemini 3 model such as gemini-3.8-flash`;
  } else if (/SAFETY|BLOCKED|PROHIBITED|policy/i.test(text)) {
    fix = 'the content was refused: change the topic or the prompt';
  } else if (info.setting && /model|voice/i.test(text)) {
    fix = `the request was refused; check ${info.setting.key} ("${info.setting.value}") and the google settings in the config`;
  } else {
    fix = 'the request was refused; check the google settings in the config';
  }
  return new PermanentError(`${head}; ${fix}`, { cause: err });
}

/**
 * Runs `call` under the policy: retryable failures are tried again after a jittered exponential delay
 * (or the server's Retry-After when it asks for one no longer than `maxSeconds`); anything else, or
 * the last failure, is thrown classified.
 */
export async function withRetry<T>(call: (attempt: number) => Promise<T>, opts: { policy: RetryPolicy; info: CallInfo; signal: AbortSignal; onRetry?: (error: RetryableError, waitSeconds: number) => void }): Promise<T> {
  const { policy, signal } = opts;
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw signal.reason;
    try {
      const result = await call(attempt);
      // an answer that arrives after the job was given up is not used (the stage must write nothing more)
      if (signal.aborted) throw signal.reason;
      return result;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const error = classify(err, opts.info);
      if (!(error instanceof RetryableError) || attempt >= policy.attempts) throw error;
      // a server asking for a long wait is the queue's job (the job goes back with that wait), not this process's
      if (error.retryAfterSeconds !== undefined && error.retryAfterSeconds > policy.maxSeconds) throw error;
      // RetryInfo.retryDelay is the least to wait ("at least this long"); the backoff still grows past it
      const backoff = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
      const wait = Math.max(error.retryAfterSeconds ?? 0, backoff);
      opts.onRetry?.(error, wait);
      await delay(wait * 1000, undefined, { signal }).catch(() => {
        throw signal.reason;
      });
    }
  }
}
