import { getStory, jobRow } from './db/stories.js';
import type { Queryable } from './db/types.js';
import { ConflictError, UsageError } from './errors.js';
import { enqueue } from './queue/jobs.js';
import { queueReady, storyProgress } from './queue/progress.js';
import { type Pipeline, needsOf, stageOf, withDependents } from './stages/index.js';
import type { Services } from './stages/types.js';
import { newStorySchema, resolveStory } from './stories.js';
import type { Job, JobType, Story } from './types.js';

/** `retry` (and `reject`): a story resumed at its failed stage, or redone from a stage. */

export async function activeJobs(db: Queryable, storyId: string): Promise<Job[]> {
  return (await db.query<Job>("select * from jobs where story_id = $1 and status in ('queued', 'processing') order by id", [storyId])).map(jobRow);
}

/**
 * Resumes a story: at its failed stage, or at `from` (whose work, and the work of every stage that needs
 * it, is cleared first). Finished work the stage does not lead to is kept. Checks, clearing and the new job are one
 * transaction on the locked story row, so two retries cannot both queue it.
 */
export async function retryStory(services: Services, pipeline: Pipeline, idOrPrefix: string, from?: string, opts: { budgetUsd?: number } = {}): Promise<{ story: Story; stage: string }> {
  const { db } = services;
  const found = await resolveStory(db, idOrPrefix);
  if (opts.budgetUsd !== undefined) {
    const checked = newStorySchema.shape.budget_usd.safeParse(opts.budgetUsd);
    if (!checked.success) throw new UsageError(checked.error.issues[0].message);
  }
  checkStage(pipeline, from);
  const stage = await db.transaction((tx) => requeueFrom(tx, services, pipeline, found.id, from, opts));
  return { story: (await getStory(db, found.id))!, stage };
}

/** A usage error unless `from` is absent or a stage of the pipeline. */
export function checkStage(pipeline: Pipeline, from: string | undefined): void {
  if (from && !stageOf(pipeline, from)) throw new UsageError(`unknown stage "${from}"; stages are ${pipeline.map((s) => s.type).join(', ')}`);
}

/**
 * Retry's transaction (also `reject`'s): on the locked story row, refuses a story with an active job,
 * clears the work of `from` and the stages that need it, and queues the stage to resume at (and any other
 * stage that can start). Returns its type.
 */
export async function requeueFrom(tx: Queryable, services: Services, pipeline: Pipeline, storyId: string, from?: string, opts: { budgetUsd?: number } = {}): Promise<JobType> {
  const [story] = await tx.query<Story>('select * from stories where id = $1 for update', [storyId]);
  const [active] = await activeJobs(tx, story.id);
  if (active?.held) throw new ConflictError(`story ${story.id} is ${active.held}: \`lost-archives approve ${story.id.slice(0, 8)}\`, or \`reject ${story.id.slice(0, 8)} --from STAGE\``);
  if (active) throw new ConflictError(`story ${story.id} already has job ${active.id} (${active.type}) ${active.status}; wait for it or let its worker finish`);
  const { done } = await storyProgress(tx, pipeline, story.id);
  if (from) {
    const stage = stageOf(pipeline, from)!;
    const need = needsOf(pipeline, stage).find((n) => !done.has(n));
    if (need) throw new ConflictError(`cannot start story ${story.id} at ${from}: ${need} has not finished yet; use --from ${need} (or an earlier stage)`);
    // what the stage made goes, and what every stage that reads it made; the rest is kept
    for (const s of withDependents(pipeline, stage.type)) await s.reset(story, { db: tx, storage: services.storage });
    if ((await enqueue(tx, story.id, stage.type, services.config.queue.maxAttempts)) === null) {
      throw new ConflictError(`story ${story.id} was queued again by someone else just now`);
    }
    // work redone from a stage is prepared like new work (a gated upload is held again); a resumed job is not
    await stage.queued?.((await getStory(tx, story.id))!, { db: tx, config: services.config });
  } else if (story.status !== 'failed') {
    throw new ConflictError(`story ${story.id} is ${story.status}, not failed: nothing to resume. To redo work from a stage, use --from STAGE.`);
  }
  // the failed stage, and any other that had not started, is queued again (with --from: any beside it)
  const queued = await queueReady(tx, pipeline, story.id, services.config, !!from);
  const target = from ?? queued[0]?.type;
  if (!target) throw new ConflictError(`story ${story.id} has no stage left to run; \`lost-archives status ${story.id}\` shows its jobs`);
  const { status } = await storyProgress(tx, pipeline, story.id);
  await tx.query('update stories set status = $2, error_message = null, updated_at = now() where id = $1', [story.id, status]);
  if (opts.budgetUsd !== undefined) await tx.query('update stories set budget_usd = $2 where id = $1', [story.id, opts.budgetUsd]);
  return target as JobType;
}
