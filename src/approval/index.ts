import { takeSlot } from '../calendar/index.js';
import type { Db, Queryable } from '../db/types.js';
import { ConflictError, UsageError } from '../errors.js';
import type { Pipeline } from '../stages/index.js';
import type { Services } from '../stages/types.js';
import { checkStage, requeueFrom } from '../retry.js';
import { resolveStory } from '../stories.js';
import type { JobType } from '../types.js';
import { AWAITING_APPROVAL, wantsSlot } from './gate.js';

/** `approve` and `reject`: a person's answer to a story whose upload is held (src/approval/gate.ts holds it). */

export interface StoryEvent {
  id: number;
  story_id: string;
  kind: string;
  stage: string | null;
  note: string | null;
  created_at: Date;
}

export async function addEvent(db: Queryable, storyId: string, kind: string, stage: string | null = null, note: string | null = null): Promise<void> {
  await db.query('insert into story_events (story_id, kind, stage, note) values ($1, $2, $3, $4)', [storyId, kind, stage, note]);
}

/** The story's history (approvals, rejections with their notes), oldest first. */
export async function listEvents(db: Queryable, storyId: string): Promise<StoryEvent[]> {
  return db.query<StoryEvent>('select * from story_events where story_id = $1 order by id', [storyId]);
}

/** Since when the story's upload has waited for approval, or null when it does not wait. */
export async function awaitingSince(db: Queryable, storyIds: readonly string[]): Promise<Map<string, Date>> {
  const rows = await db.query<{ story_id: string; since: Date }>(
    "select story_id, updated_at as since from jobs where story_id = any ($1) and status = 'queued' and held = $2",
    [storyIds, AWAITING_APPROVAL],
  );
  return new Map(rows.map((r) => [r.story_id, r.since]));
}

async function notAwaiting(db: Queryable, storyId: string, action: string): Promise<ConflictError> {
  const [s] = await db.query<{ status: string }>('select status from stories where id = $1', [storyId]);
  return new ConflictError(`story ${storyId} is ${s?.status ?? 'gone'}, not awaiting approval: nothing to ${action}`);
}

/**
 * Lets the held upload go: one statement releases it only while the story awaits approval (run_at now,
 * workers woken); in the same transaction the story takes its calendar slot. Returns the slot, if any.
 */
export async function approveStory(services: Services, idOrPrefix: string, note?: string): Promise<{ story_id: string; job_id: number; slot: Date | null }> {
  const { db, config } = services;
  const story = await resolveStory(db, idOrPrefix);
  return db.transaction(async (tx) => {
    const [released] = await tx.query<{ id: number }>('select la_approve($1) as id', [story.id]);
    if (!released) throw await notAwaiting(tx, story.id, 'approve');
    await addEvent(tx, story.id, 'approved', 'upload_youtube', note ?? null);
    const slot = (await wantsSlot(tx, story.id, config)) ? await takeSlot(tx, story.id, config.youtube.schedule!) : null;
    return { story_id: story.id, job_id: released.id, slot };
  });
}

/**
 * Sends a story whose upload is held back to `from` (which must come before the upload), as `retry
 * --from` does, in one transaction with ending the held job; the note is kept in the story's history.
 */
export async function rejectStory(services: Services, pipeline: Pipeline, idOrPrefix: string, from: string, note?: string): Promise<{ story_id: string; stage: JobType }> {
  const { db } = services;
  checkStage(pipeline, from);
  const upload = pipeline.findIndex((s) => s.type === 'upload_youtube');
  if (pipeline.findIndex((s) => s.type === from) >= upload) {
    throw new UsageError(`reject sends a story back to a stage before upload_youtube (e.g. --from render_video); to publish it, use approve`);
  }
  const story = await resolveStory(db as Db, idOrPrefix);
  const stage = await db.transaction(async (tx) => {
    const ended = await tx.query(
      `update jobs j set status = 'failed', held = null, run_at = now(), finished_at = now(), updated_at = now(),
         last_error = 'rejected by the operator' || coalesce(': ' || $2, '')
       from stories s
       where s.id = $1 and j.story_id = s.id and s.status = 'uploading' and j.status = 'queued' and j.held is not null
       returning j.id`,
      [story.id, note ?? null],
    );
    if (!ended.length) throw await notAwaiting(tx, story.id, 'reject');
    await addEvent(tx, story.id, 'rejected', from, note ?? null);
    return requeueFrom(tx, services, pipeline, story.id, from);
  });
  return { story_id: story.id, stage };
}
