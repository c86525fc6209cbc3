import type { Db } from '../../src/db/types.js';
import { runWorker } from '../../src/queue/worker.js';
import { PIPELINE, type Pipeline } from '../../src/stages/index.js';
import type { Services } from '../../src/stages/types.js';
import type { JobType } from '../../src/types.js';

/**
 * The real pipeline (its order, resets and the upload's `queued` hook: the gate and the calendar) whose
 * stages only record that they ran: the approval tests are about the queue, not about making videos.
 */
export function recordingPipeline(): { pipeline: Pipeline; runs: { type: JobType; storyId: string }[] } {
  const runs: { type: JobType; storyId: string }[] = [];
  const pipeline = PIPELINE.map((stage) => ({
    ...stage,
    async run(story: { id: string }) {
      runs.push({ type: stage.type, storyId: story.id });
    },
  }));
  return { pipeline, runs };
}

/** One worker for every job type, in this process, working through what is claimable now. */
export function workOnce(services: Services, pipeline: Pipeline, name = 'w-once') {
  return runWorker(services, { concurrency: 2, once: true, name, pipeline, stop: new AbortController().signal });
}

export async function jobsOf(db: Db, storyId: string) {
  return db.query<{ id: number; type: JobType; status: string; held: string | null; attempts: number; locked_by: string | null; run_infinite: boolean }>(
    "select id, type, status, held, attempts, locked_by, run_at = 'infinity' as run_infinite from jobs where story_id = $1 order by id",
    [storyId],
  );
}
