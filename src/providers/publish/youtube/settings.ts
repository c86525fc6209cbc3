import type { Config } from '../../../config.js';
import type { Queryable } from '../../../db/types.js';
import { UsageError } from '../../../errors.js';

export const PRIVACY = ['private', 'unlisted', 'public'] as const;
export type Privacy = (typeof PRIVACY)[number];

/** A story's own video settings, over the config's. */
export interface StoryVideoSettings {
  privacy: Privacy | null;
  publishAt: Date | null;
}

/**
 * Checks a story's settings as given on the command line: a known privacy, a publish time in the
 * future that YouTube can schedule (which needs `private`). Only the youtube publisher uses them.
 */
export function parseStoryVideoSettings(config: Config, input: { privacy?: string; publishAt?: string }, now = new Date()): StoryVideoSettings | null {
  if (input.privacy === undefined && input.publishAt === undefined) return null;
  if (config.providers.publish !== 'youtube') {
    throw new UsageError(`--privacy and --publish-at are settings of the youtube publisher, and providers.publish is ${config.providers.publish}`);
  }
  if (input.privacy !== undefined && !(PRIVACY as readonly string[]).includes(input.privacy)) {
    throw new UsageError(`unknown privacy "${input.privacy}"; use ${PRIVACY.join(', ')}`);
  }
  let publishAt: Date | null = null;
  if (input.publishAt !== undefined) {
    publishAt = new Date(input.publishAt);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(input.publishAt) || Number.isNaN(publishAt.getTime())) {
      throw new UsageError(`--publish-at "${input.publishAt}" is not a time with its zone, e.g. 2026-12-01T17:00:00Z`);
    }
    if (publishAt <= now) throw new UsageError(`--publish-at ${publishAt.toISOString()} is in the past`);
    if (input.privacy !== undefined && input.privacy !== 'private') throw new UsageError('--publish-at needs --privacy private (YouTube makes the video public at that time)');
  }
  return { privacy: (input.privacy as Privacy | undefined) ?? (publishAt ? 'private' : null), publishAt };
}

export async function saveStoryVideoSettings(db: Queryable, storyId: string, s: StoryVideoSettings): Promise<void> {
  await db.query(
    `insert into youtube_uploads (story_id, privacy, publish_at) values ($1, $2, $3)
     on conflict (story_id) do update set privacy = excluded.privacy, publish_at = excluded.publish_at, updated_at = now()`,
    [storyId, s.privacy, s.publishAt],
  );
}
