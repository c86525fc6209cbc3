import { z } from 'zod';

/** `queue`: leases, retries and polling of the jobs table. */
export const queueSchema = z.strictObject({
  /** How many times a job may be claimed before it fails for good. Default 3. */
  maxAttempts: z.number().int().min(1).max(100).default(3),
  /** How long a claimed job stays owned without a heartbeat, in seconds. Default 120. */
  leaseSeconds: z.number().min(1).max(86_400).default(120),
  /** Wake idle workers at once with LISTEN/NOTIFY. Set false behind a transaction pooler (polling only). Default true. */
  listen: z.boolean().default(true),
  /** Idle workers poll this often (with ±25% jitter) when no NOTIFY arrives, in seconds. Default 2. */
  pollSeconds: z.number().min(0.05).max(3600).default(2),
  /** On SIGTERM/SIGINT a worker lets its jobs finish for this long before handing them back. Default 30. */
  graceSeconds: z.number().min(0).max(3600).default(30),
  /** First retry delay in seconds; doubles each attempt, with jitter. Default 5. */
  backoffBaseSeconds: z.number().min(0).max(86_400).default(5),
  /** Longest retry delay in seconds. Default 600. */
  backoffMaxSeconds: z.number().min(0).max(86_400).default(600),
});
