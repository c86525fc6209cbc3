import { databaseFault, errorMessage, isConnectionError } from '../errors.js';
import type { Logger } from '../log.js';

/** The queue's calls through a database that comes and goes, and waiting that a signal cuts short. */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a database call again after connection errors (a restarted server, a killed backend) until
 * `deadlineMs`; other errors pass through at once.
 */
export async function withDbRetry<T>(fn: () => Promise<T>, log: Logger, deadlineMs: number): Promise<T> {
  let delay = 100;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isConnectionError(err) || Date.now() + delay > deadlineMs) throw err;
      log.warn(`${databaseFault(err)}; retrying`, { error: errorMessage(err), inMs: delay });
      await sleep(delay);
      delay = Math.min(delay * 2, 2_000);
    }
  }
}

/** `p`, or its signal's reason as soon as the signal aborts (`p` itself runs on, unobserved). */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
