/**
 * Errors with a kind. The kind decides the exit code of a command and whether the queue retries a job.
 * Messages say what happened, to what, and what to do.
 */

/** Bad flags, arguments or config: exit code 2, never retried. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The story (or other thing) asked for does not exist: exit code 2 on the command line, 404 over HTTP. */
export class NotFoundError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The request is valid but the story is not in a state that allows it: exit code 2, 409 over HTTP. */
export class ConflictError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** A runtime problem the operator must fix (database unreachable, story failed): exit code 1. */
export class RuntimeError extends Error {
  readonly exitCode = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeError';
  }
}

/** A job failure that cannot heal by waiting (bad input, content refused, missing credentials). */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** A job failure worth retrying later; `retryAfterSeconds` overrides the queue's backoff when known. */
export class RetryableError extends Error {
  constructor(message: string, readonly retryAfterSeconds?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryableError';
  }
}

/**
 * The job waits on an outside limit with a known end (a daily quota): re-queued to run after
 * `retryAfterSeconds` without spending one of its attempts, however long the wait.
 */
export class DeferredError extends RetryableError {
  constructor(message: string, override readonly retryAfterSeconds: number, options?: { cause?: unknown }) {
    super(message, retryAfterSeconds, options);
    this.name = 'DeferredError';
  }
}

/**
 * The stage waits for other jobs of its story (the parts of a distributed render): the job is handed back
 * without spending an attempt, to run again after `retryAfterSeconds` or as soon as the last of them ends.
 */
export class WaitingError extends DeferredError {
  constructor(message: string, retryAfterSeconds: number) {
    super(message, retryAfterSeconds);
    this.name = 'WaitingError';
  }
}

/** Raised inside a stage when this worker no longer owns its job: it must stop without writing results. */
export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`lost the lease on job ${jobId}: another worker owns it now`);
    this.name = 'LeaseLostError';
  }
}

/** The worker is shutting down and hands its job back to the queue. */
export class ShutdownError extends Error {
  constructor() {
    super('worker is shutting down');
    this.name = 'ShutdownError';
  }
}

export function isPermanent(err: unknown): boolean {
  return err instanceof PermanentError || err instanceof UsageError;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * The codes of a network failure (Node's sockets and DNS, undici's fetch, streams cut short): the one list
 * the database, the Google providers and the YouTube publisher retry on.
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE',
]);

/** The error, or the error it wraps (fetch's `cause`), carries one of NETWORK_ERROR_CODES. */
export function hasNetworkCode(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  return NETWORK_ERROR_CODES.has(String(e?.code ?? '')) || NETWORK_ERROR_CODES.has(String(e?.cause?.code ?? ''));
}

/**
 * Connection-class failures of PostgreSQL or the network: worth retrying the same statement. Besides a
 * lost or refused connection this counts a server that turns new connections away for now: 53300 (too
 * many connections, for the server or the role) and 57P03 (starting up).
 */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  const code = e.code ?? '';
  if (hasNetworkCode(e)) return true;
  // 08xxx connection exceptions, 53300 too many connections, 57P01-57P03 admin shutdown / crash / cannot connect now
  if (/^08/.test(code) || code === '53300' || /^57P0[1-3]$/.test(code)) return true;
  const msg = e.message ?? '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable|Connection closed/i.test(msg);
}

/** What a connection error means for the operator, in a few words (for "…; retrying" lines). */
export function databaseFault(err: unknown): string {
  const code = (err as { code?: string } | null)?.code;
  if (code === '53300') return 'the database has no free connection (too many connections)';
  if (code === '57P03') return 'the database is starting up';
  if (code === '57P01' || code === '57P02') return 'the database was shut down or restarted';
  return 'the database is unreachable';
}

const DATABASE_FAULT = Symbol('lost-archives.databaseFault');

/**
 * Tags a connection error as the database's (the Db adapters do, for every statement), so that a stage
 * that fails on it is told apart from one whose own network call (a provider's) failed.
 */
export function markDatabaseFault<E>(err: E): E {
  if (err && typeof err === 'object' && isConnectionError(err)) Object.defineProperty(err, DATABASE_FAULT, { value: true });
  return err;
}

/** The error, or one it wraps (`cause`), is a connection error the database gave (see markDatabaseFault). */
export function isDatabaseFault(err: unknown): boolean {
  for (let e = err as { cause?: unknown } | null, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as typeof e, depth++) {
    if (DATABASE_FAULT in e) return true;
  }
  return false;
}

/** Already reported to the operator: just exit with this code. */
export class ExitError extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitError';
  }
}
