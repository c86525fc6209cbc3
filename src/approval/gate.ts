import type { Config } from '../config.js';
import { releaseSlot, takeSlot } from '../calendar/index.js';
import type { Queryable } from '../db/types.js';
import { loadUpload } from '../providers/publish/youtube/state.js';
import type { JobType, Story } from '../types.js';

/** The reason a held upload waits, as `status`, `review` and the API show it. */
export const AWAITING_APPROVAL = 'awaiting approval';

/** Holds the story's queued job of this type for a person: never claimable until `approve` releases it. */
export async function holdJob(tx: Queryable, storyId: string, type: JobType, reason = AWAITING_APPROVAL): Promise<void> {
  await tx.query(
    "update jobs set run_at = 'infinity', held = $3, updated_at = now() where story_id = $1 and type = $2 and status = 'queued'",
    [storyId, type, reason],
  );
}

/**
 * Whether the story takes a slot of the calendar: only with `youtube.schedule`, and only when the
 * operator gave it no time of its own (`--publish-at`) and no privacy other than private.
 */
export async function wantsSlot(tx: Queryable, storyId: string, config: Config): Promise<boolean> {
  if (!config.youtube.schedule) return false;
  const own = await loadUpload(tx, storyId);
  return own.publish_at === null && (own.privacy === null || own.privacy === 'private');
}

/**
 * Runs in the transaction that queues a story's upload (render completed, or `approve`): a gated story's
 * upload is held; otherwise the story takes the calendar's next free slot, if it wants one. A gated
 * story takes its slot when approved, so the calendar's order is the order uploads are let go, and a
 * story waiting days for a person does not sit on (and miss) an early slot.
 */
export async function uploadQueued(tx: Queryable, story: Story, config: Config, opts: { approved?: boolean } = {}): Promise<void> {
  if (story.approval && !opts.approved) {
    await holdJob(tx, story.id, 'upload_youtube');
    return;
  }
  if (await wantsSlot(tx, story.id, config)) await takeSlot(tx, story.id, config.youtube.schedule!);
}

/** What a new upload forgets (`retry --from`/`reject --from` any stage up to the upload): its slot. */
export async function uploadReset(tx: Queryable, storyId: string): Promise<void> {
  await releaseSlot(tx, storyId);
}
