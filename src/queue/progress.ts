import type { LoadedConfig } from '../config.js';
import type { Db, Queryable } from '../db/types.js';
import { getStory } from '../db/stories.js';
import { type Pipeline, type Stage, type StageJob, activeTypes, doneStages, readyStages, statusOf } from '../stages/index.js';
import type { Job, JobType, Story, StoryStatus } from '../types.js';
import * as q from './jobs.js';

/**
 * A story's progress through the pipeline, read from its jobs, and the writes that move it on: the
 * story row is locked first, so two stages of one story finishing at once see each other's result.
 */

export interface StoryProgress {
  done: Set<JobType>;
  active: Set<string>;
  status: StoryStatus;
}

async function stageJobs(db: Queryable, storyId: string): Promise<StageJob[]> {
  return db.query<StageJob>('select id::int as id, type, status from jobs where story_id = $1', [storyId]);
}

function progressOf(pipeline: Pipeline, jobs: StageJob[]): StoryProgress {
  const done = doneStages(pipeline, jobs);
  return { done, active: activeTypes(jobs), status: statusOf(pipeline, done) };
}

export async function storyProgress(db: Queryable, pipeline: Pipeline, storyId: string): Promise<StoryProgress> {
  return progressOf(pipeline, await stageJobs(db, storyId));
}

async function lockStory(tx: Queryable, storyId: string): Promise<Story | undefined> {
  return (await tx.query<Story>('select * from stories where id = $1 for update', [storyId]))[0];
}

/** Queues every stage that can start now; `prepare` runs their `queued` step (the approval gate). Returns them. */
export async function queueReady(tx: Queryable, pipeline: Pipeline, storyId: string, config: LoadedConfig, prepare: boolean): Promise<Stage[]> {
  const { done, active } = await storyProgress(tx, pipeline, storyId);
  const queued: Stage[] = [];
  for (const s of readyStages(pipeline, done, active)) {
    if ((await q.enqueue(tx, storyId, s.type, config.queue.maxAttempts)) === null) continue;
    if (prepare) await s.queued?.((await getStory(tx, storyId))!, { db: tx, config });
    queued.push(s);
  }
  return queued;
}

/**
 * Completes a stage's job and, in the same transaction, sets the story's status and queues every stage
 * that can start now. A story that failed meanwhile (a stage beside this one gave up) stays failed and
 * queues nothing: `retry` resumes it. False: the lease was lost.
 */
export async function completeStage(db: Db, pipeline: Pipeline, job: Job, worker: string, config: LoadedConfig): Promise<boolean> {
  return db.transaction(async (tx) => {
    const story = await lockStory(tx, job.story_id);
    const jobs = (await stageJobs(tx, job.story_id)).map((j) => (j.id === Number(job.id) ? { ...j, status: 'completed' } : j));
    const failed = story?.status === 'failed';
    const next = { status: failed ? ('failed' as const) : progressOf(pipeline, jobs).status, type: null };
    if (!(await q.complete(tx, job, worker, next, config.queue.maxAttempts))) return false;
    if (failed) {
      await tx.query('update stories set error_message = $2 where id = $1', [job.story_id, story.error_message]);
      return true;
    }
    await queueReady(tx, pipeline, job.story_id, config, true);
    return true;
  });
}
