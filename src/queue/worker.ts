import os from 'node:os';
import { RuntimeError, databaseFault, errorMessage, isConnectionError } from '../errors.js';
import { type Pipeline, withTasks } from '../stages/index.js';
import type { Services } from '../stages/types.js';
import type { Job, JobType, TaskType } from '../types.js';
import { type JobOutcome, executeJob } from './execute.js';
import * as q from './jobs.js';

export interface WorkerOptions {
  /** Job types to work on (and their tasks: render_video takes render_part); empty or undefined: all stages of the pipeline. */
  types?: readonly JobType[];
  concurrency: number;
  /** Work through what is claimable now, then return (cron). */
  once: boolean;
  name: string;
  pipeline: Pipeline;
  /** Aborting it starts a graceful stop: no new claims, `graceSeconds` for running jobs, then hand back. */
  stop: AbortSignal;
  /** Called after each job with what happened (tests, benchmarks). */
  onJob?: (job: Job, outcome: JobOutcome) => void;
}

export interface WorkerSummary {
  completed: number;
  retried: number;
  failed: number;
  lost: number;
  released: number;
}

export function defaultWorkerName(): string {
  return `${os.hostname()}-${process.pid}`;
}

/**
 * The worker loop: claim up to `concurrency` jobs, run each, and wait for a NOTIFY, a finished job or
 * the jittered poll timer before claiming again. Survives database restarts and a server out of
 * connections: a failed claim is logged and tried again with a growing delay; the listener (also one that
 * could not start) reconnects by itself and triggers a catch-up claim.
 */
export async function runWorker(services: Services, opts: WorkerOptions): Promise<WorkerSummary> {
  const { db, config } = services;
  const log = services.logger.child({ worker: opts.name });
  const types = withTasks(opts.types?.length ? opts.types : opts.pipeline.map((s) => s.type));
  const summary: WorkerSummary = { completed: 0, retried: 0, failed: 0, lost: 0, released: 0 };
  const running = new Set<Promise<void>>();
  const grace = new AbortController();
  let wake: (() => void) | null = null;
  let woken = false;
  const signalWake = () => {
    woken = true;
    wake?.();
  };

  const unlisten = !config.queue.listen
    ? async () => {}
    : await db
    .listen(
      q.JOBS_CHANNEL,
      (payload) => {
        try {
          const { type } = JSON.parse(payload) as { type: JobType | TaskType };
          if (types.includes(type)) signalWake();
        } catch {
          signalWake();
        }
      },
      signalWake,
    )
    .catch((err) => {
      log.warn('cannot LISTEN; polling only', { error: errorMessage(err) });
      return async () => {};
    });

  const onStop = () => {
    log.info('stopping: no new jobs; waiting for running jobs', { running: running.size, graceSeconds: config.queue.graceSeconds });
    setTimeout(() => grace.abort(), config.queue.graceSeconds * 1000).unref();
    signalWake();
  };
  if (opts.stop.aborted) onStop();
  else opts.stop.addEventListener('abort', onStop, { once: true });

  log.info('worker started', { types: types.join(','), concurrency: opts.concurrency, db: db.description, once: opts.once });
  // the trap of scaling out: a shared queue, but files only this machine can read
  if (db.kind === 'postgres' && config.storage.kind === 'local') {
    log.warn('storage is a local folder: workers on other machines cannot read the files this one stores; on several machines use storage kind supabase (or one folder every worker mounts as dataDir)');
  }
  const pollMs = config.queue.pollSeconds * 1000;
  let claimFailures = 0;

  try {
    while (!opts.stop.aborted) {
      woken = false;
      let claimedNone = false;
      while (running.size < opts.concurrency && !opts.stop.aborted) {
        let job: Job | null;
        try {
          job = await q.claim(db, opts.name, types, config.queue.leaseSeconds);
          claimFailures = 0;
        } catch (err) {
          // a database that is restarting heals; a missing function or a denied permission does not
          if (!isConnectionError(err)) throw new RuntimeError(`cannot claim jobs: ${errorMessage(err)}`, { cause: err });
          claimFailures++;
          if (opts.once && claimFailures >= 5) throw new RuntimeError(`cannot reach the database to claim jobs: ${errorMessage(err)}`, { cause: err });
          log.warn(`cannot claim jobs: ${databaseFault(err)}; will try again`, { error: errorMessage(err) });
          break;
        }
        if (!job) {
          claimedNone = true;
          break;
        }
        const claimed = job;
        log.info('job claimed', { stage: claimed.type, jobId: claimed.id, storyId: claimed.story_id, attempt: claimed.attempts });
        const p = executeJob(services, claimed, { worker: opts.name, pipeline: opts.pipeline, shutdown: grace.signal, handsOutParts: true })
          .catch((err): { outcome: JobOutcome } => {
            log.error('job crashed the worker loop', { jobId: claimed.id, error: errorMessage(err) });
            return { outcome: 'lost' };
          })
          .then(({ outcome }) => {
            const key = outcome === 'retry' ? 'retried' : outcome;
            summary[key as keyof WorkerSummary]++;
            opts.onJob?.(claimed, outcome);
            running.delete(p);
            signalWake();
          });
        running.add(p);
      }
      // a job that finished while we were claiming may have enqueued the next stage: look again
      if (opts.once && claimedNone && running.size === 0 && !woken) break;
      if (woken) continue;
      const backoff = claimFailures ? Math.min(pollMs * 2 ** claimFailures, 30_000) : pollMs;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, backoff * (0.75 + Math.random() * 0.5));
        wake = () => {
          clearTimeout(t);
          resolve();
        };
        if (woken) wake();
      });
      wake = null;
    }
    await Promise.all(running);
  } finally {
    await unlisten().catch(() => {});
    opts.stop.removeEventListener('abort', onStop);
  }
  log.info('worker stopped', { ...summary });
  return summary;
}

