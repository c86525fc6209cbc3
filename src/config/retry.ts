import { z } from 'zod';

/**
 * Retries of one outside request after 429 or 5xx, honouring Retry-After, before the job goes back to
 * the queue: the same policy for the Google providers (`google.retry`) and the archives (`archives.retry`).
 */
export const retryPolicySchema = z
  .strictObject({
    /** Tries per request, the first included. Default 4. */
    attempts: z.number().int().min(1).max(20).default(4),
    /** First delay in seconds; doubles each try, ±25% jitter. Default 1. */
    baseSeconds: z.number().min(0).max(600).default(1),
    /** Longest delay in seconds (a longer Retry-After hands the job back to the queue). Default 30. */
    maxSeconds: z.number().min(0).max(3600).default(30),
  })
  .prefault({});
