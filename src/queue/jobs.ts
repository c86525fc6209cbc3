import type { Queryable } from '../db/types.js';
import type { Job, JobType, StoryStatus, TaskType } from '../types.js';

/** Thin typed calls to the queue functions in supabase/migrations/*_queue.sql. */

export const JOBS_CHANNEL = 'lost_archives_jobs';

export interface QueueSettings {
  maxAttempts: number;
  leaseSeconds: number;
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
}

export async function enqueue(db: Queryable, storyId: string, type: JobType, maxAttempts: number, runAt?: Date): Promise<number | null> {
  const [row] = await db.query<{ id: number | null }>('select la_enqueue($1, $2, $3, $4) as id', [storyId, type, maxAttempts, runAt ?? null]);
  return row.id;
}

export async function claim(db: Queryable, worker: string, types: readonly (JobType | TaskType)[] | null, leaseSeconds: number, storyId?: string): Promise<Job | null> {
  const rows = await db.query<Job>('select * from la_claim($1, $2, $3, $4)', [worker, types, leaseSeconds, storyId ?? null]);
  return rows[0] ?? null;
}

export async function heartbeat(db: Queryable, job: Job, worker: string, leaseSeconds: number): Promise<boolean> {
  const [row] = await db.query<{ ok: boolean }>('select la_heartbeat($1, $2, $3, $4) as ok', [job.id, worker, job.attempts, leaseSeconds]);
  return row.ok;
}

export async function complete(db: Queryable, job: Job, worker: string, next: { status: StoryStatus; type: JobType | null }, maxAttempts: number): Promise<boolean> {
  const [row] = await db.query<{ ok: boolean }>('select la_complete($1, $2, $3, $4, $5, $6) as ok', [
    job.id, worker, job.attempts, next.status, next.type, maxAttempts,
  ]);
  return row.ok;
}

export type FailOutcome = 'retry' | 'failed' | 'lost';

export async function fail(db: Queryable, job: Job, worker: string, error: string, permanent: boolean, q: QueueSettings, retryAfterSeconds?: number): Promise<FailOutcome> {
  const [row] = await db.query<{ outcome: FailOutcome }>('select la_fail($1, $2, $3, $4, $5, $6, $7, $8) as outcome', [
    job.id, worker, job.attempts, error, permanent, q.backoffBaseSeconds, q.backoffMaxSeconds, retryAfterSeconds ?? null,
  ]);
  return row.outcome;
}

/** Re-queues the job for `delaySeconds` from now without spending the attempt this claim counted. */
export async function defer(db: Queryable, job: Job, worker: string, error: string, delaySeconds: number): Promise<'retry' | 'lost'> {
  const [row] = await db.query<{ outcome: 'retry' | 'lost' }>('select la_defer($1, $2, $3, $4, $5) as outcome', [job.id, worker, job.attempts, error, delaySeconds]);
  return row.outcome;
}

export async function release(db: Queryable, job: Job, worker: string): Promise<boolean> {
  const [row] = await db.query<{ ok: boolean }>('select la_release($1, $2, $3) as ok', [job.id, worker, job.attempts]);
  return row.ok;
}

/**
 * Shows a pending story as being worked on (`status` is the first stage in pipeline order not yet done:
 * only a completion or a retry changes it), only while this worker still holds the job: a worker that was
 * cut off and whose late write arrives after another took over must not move the story. False: not the owner.
 */
export async function markStoryStage(db: Queryable, job: Job, worker: string, firstStatus: StoryStatus): Promise<boolean> {
  const rows = await db.query(
    `update stories set status = case when status = 'pending' then $2 else status end, updated_at = now()
     where id = $1 and status <> 'failed'
       and exists (select 1 from jobs where id = $3 and locked_by = $4 and attempts = $5 and status = 'processing')
     returning id`,
    [job.story_id, firstStatus, job.id, worker, job.attempts],
  );
  return rows.length > 0;
}

/** Enqueues one part of a story's render unless that part has an active job; the job id, or null. */
export async function enqueuePart(db: Queryable, storyId: string, payload: Record<string, unknown>, maxAttempts: number): Promise<number | null> {
  const [row] = await db.query<{ id: number | null }>('select la_enqueue_part($1, $2, $3) as id', [storyId, JSON.stringify(payload), maxAttempts]);
  return row.id;
}

/** Completes a task (a render part); the last one wakes the stage waiting for them. False: lease lost. */
export async function completeTask(db: Queryable, job: Job, worker: string): Promise<boolean> {
  const [row] = await db.query<{ ok: boolean }>('select la_complete_part($1, $2, $3) as ok', [job.id, worker, job.attempts]);
  return row.ok;
}

/** Hands a render that waits for its parts back without spending an attempt (at once if none is left running). */
export async function waitForParts(db: Queryable, job: Job, worker: string, delaySeconds: number): Promise<'retry' | 'lost'> {
  const [row] = await db.query<{ outcome: 'retry' | 'lost' }>('select la_wait_for_parts($1, $2, $3, $4) as outcome', [job.id, worker, job.attempts, delaySeconds]);
  return row.outcome;
}

/** The render part jobs of a story, oldest first. */
export async function partJobs(db: Queryable, storyId: string): Promise<Job[]> {
  return db.query<Job>(`select * from jobs where story_id = $1 and type = 'render_part' order by id`, [storyId]);
}

/**
 * Ends the lease of every job marked as being worked on, so that the next claim takes it over at once
 * (counting an attempt, as any lost lease does). Only for the embedded database: one process at a time
 * opens it, so when it opens, whoever holds such a job has died. Returns how many.
 */
export async function expireLeases(db: Queryable): Promise<number> {
  const rows = await db.query(
    "update jobs set locked_until = now() - interval '1 second', updated_at = now() where status = 'processing' and locked_until >= now() returning id",
  );
  return rows.length;
}
