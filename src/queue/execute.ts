import { DeferredError, LeaseLostError, RetryableError, ShutdownError, WaitingError, databaseFault, errorMessage, isDatabaseFault, isPermanent } from '../errors.js';
import { getStory } from '../db/stories.js';
import type { Pipeline } from '../stages/index.js';
import { TASKS } from '../stages/index.js';
import type { Services } from '../stages/types.js';
import type { Job } from '../types.js';
import { untilAborted, withDbRetry } from './db-retry.js';
import * as q from './jobs.js';
import { completeStage } from './progress.js';

export type JobOutcome = 'completed' | 'retry' | 'failed' | 'lost' | 'released';

export interface ExecuteOptions {
  worker: string;
  pipeline: Pipeline;
  /** Aborted when the worker's grace period is over: the job is handed back to the queue. */
  shutdown?: AbortSignal;
  progress?: (text: string) => void;
  /** a long render may hand its parts to other workers as jobs (workers, not `run`) */
  handsOutParts?: boolean;
}

/**
 * Runs one claimed job: renews its lease while the stage works, then completes it (moving the story
 * on and enqueuing the stages that can start now) or records the failure. A worker that lost its lease aborts the
 * stage and writes no result.
 */
export async function executeJob(services: Services, job: Job, opts: ExecuteOptions): Promise<{ outcome: JobOutcome; error?: string }> {
  const { db, config } = services;
  const settings = config.queue;
  const log = services.logger.child({ stage: job.type, jobId: job.id, storyId: job.story_id, attempt: job.attempts });
  const leaseEnds = () => Date.now() + settings.leaseSeconds * 1000;
  // a task (a part of a render) runs like the stage it is a piece of, but does not move the story on
  const task = TASKS.find((t) => t.type === job.type) ?? null;
  const stage = opts.pipeline.find((s) => s.type === (task?.of ?? job.type));

  if (!stage) {
    const msg = `this worker has no stage for job type ${job.type}; upgrade lost-archives`;
    const outcome = await withDbRetry(() => q.fail(db, job, opts.worker, msg, true, settings), log, leaseEnds());
    return { outcome: outcome === 'lost' ? 'lost' : 'failed', error: msg };
  }

  const controller = new AbortController();
  const onShutdown = () => controller.abort(new ShutdownError());
  if (opts.shutdown?.aborted) onShutdown();
  opts.shutdown?.addEventListener('abort', onShutdown, { once: true });

  const leaseMs = settings.leaseSeconds * 1000;
  const beatMs = Math.max(200, leaseMs / 3);
  const lost = (why: string) => {
    if (controller.signal.aborted) return;
    log.warn(`${why}; aborting the stage`);
    controller.abort(new LeaseLostError(String(job.id)));
  };
  // the lease as this worker knows it: when it cannot renew it in time (cut off from the database),
  // it must assume another worker has the job and stop, rather than run the stage twice
  let leaseUntil = Date.now() + leaseMs;
  let beating = false;
  const timer = setInterval(() => {
    if (Date.now() > leaseUntil - Math.min(1000, beatMs)) return lost('lease ran out without a successful heartbeat');
    if (beating || controller.signal.aborted) return;
    beating = true;
    const sent = Date.now();
    q.heartbeat(db, job, opts.worker, settings.leaseSeconds)
      .then((ok) => (ok ? (leaseUntil = sent + leaseMs) : lost('lease lost')))
      .catch((err) => log.warn('heartbeat failed', { error: errorMessage(err) }))
      .finally(() => (beating = false));
  }, beatMs);

  let stageError: unknown = null;
  try {
    // a query that hangs (the network is gone) must not outlive the lease: give up with it
    const whileHeld = <T>(p: Promise<T>) => untilAborted(p, controller.signal);
    const marked = await whileHeld(withDbRetry(() => q.markStoryStage(db, job, opts.worker, opts.pipeline[0].status), log, leaseEnds()));
    const story = await whileHeld(withDbRetry(() => getStory(db, job.story_id), log, leaseEnds()));
    // a failed story keeps its status; otherwise the job is no longer this worker's
    if (!marked && story?.status !== 'failed') throw new LeaseLostError(String(job.id));
    if (!story) throw new Error(`story ${job.story_id} no longer exists`);
    log.info('stage started');
    const started = Date.now();
    await (task ?? stage).run(story, {
      ...services,
      signal: controller.signal,
      log,
      progress: (text) => {
        opts.progress?.(text);
        log.debug(text);
      },
      job,
      handsOutParts: opts.handsOutParts,
    });
    if (controller.signal.aborted) throw controller.signal.reason;
    log.info('stage finished', { seconds: Math.round((Date.now() - started) / 100) / 10 });
  } catch (err) {
    stageError = controller.signal.aborted ? controller.signal.reason : err;
  } finally {
    clearInterval(timer);
    opts.shutdown?.removeEventListener('abort', onShutdown);
  }

  if (stageError instanceof LeaseLostError) {
    log.warn('job abandoned: another worker owns it now');
    return { outcome: 'lost', error: stageError.message };
  }
  if (stageError instanceof ShutdownError) {
    const ok = await withDbRetry(() => q.release(db, job, opts.worker), log, leaseEnds()).catch(() => false);
    log.info(ok ? 'job handed back to the queue' : 'job could not be handed back; its lease will run out');
    return { outcome: ok ? 'released' : 'lost' };
  }
  if (isDatabaseFault(stageError)) {
    // the database failed, not the stage: an outage must not use up a story's attempts
    const ok = await withDbRetry(() => q.release(db, job, opts.worker), log, leaseEnds()).catch(() => false);
    const error = errorMessage(stageError);
    if (ok) log.warn(`${databaseFault(stageError)} during the stage; job handed back without spending an attempt`, { error });
    else log.warn(`${databaseFault(stageError)} during the stage; job could not be handed back; its lease will run out`, { error });
    return { outcome: ok ? 'released' : 'lost', error };
  }
  if (stageError === null) {
    // a stage's completion sets the story's status and queues the stages that can start now, in one transaction
    const ok = await withDbRetry(() => (task ? q.completeTask(db, job, opts.worker) : completeStage(db, opts.pipeline, job, opts.worker, config)), log, leaseEnds());
    if (!ok) {
      log.warn('finished, but the lease was lost meanwhile: result not recorded');
      return { outcome: 'lost' };
    }
    return { outcome: 'completed' };
  }

  const message = errorMessage(stageError);
  if (stageError instanceof WaitingError) {
    const outcome = await withDbRetry(() => q.waitForParts(db, job, opts.worker, stageError.retryAfterSeconds), log, leaseEnds());
    if (outcome === 'retry') log.info('stage waits for other jobs of its story; handed back without spending an attempt', { note: message });
    return { outcome, error: message };
  }
  if (stageError instanceof DeferredError) {
    const delay = stageError.retryAfterSeconds;
    const outcome = await withDbRetry(() => q.defer(db, job, opts.worker, message, delay), log, leaseEnds());
    if (outcome === 'retry') log.warn('stage waits; job re-queued without spending an attempt', { error: message, runAt: new Date(Date.now() + delay * 1000).toISOString() });
    return { outcome, error: message };
  }
  const permanent = isPermanent(stageError);
  const retryAfter = stageError instanceof RetryableError ? stageError.retryAfterSeconds : undefined;
  const outcome = await withDbRetry(
    () => q.fail(db, job, opts.worker, message, permanent, settings, retryAfter),
    log,
    leaseEnds(),
  );
  if (outcome === 'retry') log.warn('stage failed; will retry', { error: message });
  else if (outcome === 'failed') log.error('stage failed; story failed', { error: message, permanent });
  if (stageError instanceof Error && stageError.stack) log.debug(stageError.stack);
  return { outcome, error: message };
}
