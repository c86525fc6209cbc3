import { z } from 'zod';
import { findStory, getStory, insertStory } from './db/stories.js';
import type { Db } from './db/types.js';
import { UsageError } from './errors.js';
import { LANGUAGES, isLanguage } from './languages.js';
import { enqueue } from './queue/jobs.js';
import { type Pipeline, stageOf } from './stages/index.js';
import type { Services } from './stages/types.js';
import type { Job, Story } from './types.js';

/** What a new story needs; the CLI and the HTTP API validate with this one schema. */
export const newStorySchema = z.strictObject({
  topic: z
    .string()
    .trim()
    .min(1, 'the topic is empty: give the subject of the documentary, e.g. "The Library of Alexandria"')
    .max(500, 'the topic is longer than 500 characters: give a short subject, not a script'),
  language: z
    .string()
    .refine(isLanguage, { error: (iss) => `unknown language "${String(iss.input)}"; use one of ${Object.keys(LANGUAGES).join(', ')}` })
    .default('en-US'),
});
export type NewStory = z.input<typeof newStorySchema>;

export function validateNewStory(input: NewStory): z.output<typeof newStorySchema> {
  const r = newStorySchema.safeParse(input);
  if (!r.success) throw new UsageError(r.error.issues.map((i) => i.message).join('; '));
  return r.data;
}

/** Writes the story (pending) and its first job in one transaction. */
export async function createStory(services: Services, pipeline: Pipeline, input: NewStory): Promise<Story> {
  const { topic, language } = validateNewStory(input);
  return services.db.transaction(async (tx) => {
    const story = await insertStory(tx, topic, language);
    await enqueue(tx, story.id, pipeline[0].type, services.config.queue.maxAttempts);
    return story;
  });
}

/** Resolves a full story id or a unique prefix (as `status` prints them); unknown ids are usage errors. */
export async function resolveStory(db: Db, idOrPrefix: string): Promise<Story> {
  const found = await findStory(db, idOrPrefix.trim());
  if (found.length === 1) return found[0];
  if (found.length > 1) throw new UsageError(`story id prefix "${idOrPrefix}" matches ${found.length} stories; give more characters`);
  throw new UsageError(`no story with id "${idOrPrefix}"; \`lost-archives status\` lists stories`);
}

export async function activeJobs(db: Db, storyId: string): Promise<Job[]> {
  return db.query<Job>("select * from jobs where story_id = $1 and status in ('queued', 'processing') order by id", [storyId]);
}

/**
 * Resumes a story: at its failed stage, or at `from` (whose work, and every later stage's, is cleared
 * first). Finished work before that stage is kept.
 */
export async function retryStory(services: Services, pipeline: Pipeline, idOrPrefix: string, from?: string): Promise<{ story: Story; stage: string }> {
  const { db } = services;
  const story = await resolveStory(db, idOrPrefix);
  let type: string;
  if (from) {
    if (!stageOf(pipeline, from)) throw new UsageError(`unknown stage "${from}"; stages are ${pipeline.map((s) => s.type).join(', ')}`);
    type = from;
  } else {
    if (story.status !== 'failed') {
      throw new UsageError(
        `story ${story.id} is ${story.status}, not failed: nothing to resume. To redo work from a stage, use --from STAGE.`,
      );
    }
    const [last] = await db.query<{ type: string }>("select type from jobs where story_id = $1 and status = 'failed' order by id desc limit 1", [story.id]);
    type = last?.type ?? pipeline[0].type;
  }
  const active = await activeJobs(db, story.id);
  if (active.length) {
    const j = active[0];
    throw new UsageError(`story ${story.id} already has job ${j.id} (${j.type}) ${j.status}; wait for it or let its worker finish`);
  }
  const index = pipeline.findIndex((s) => s.type === type);
  const stage = pipeline[index];
  if (from) for (const later of pipeline.slice(index)) await later.reset(story, services);
  await db.transaction(async (tx) => {
    await tx.query('update stories set status = $2, error_message = null, updated_at = now() where id = $1', [story.id, stage.status]);
    await enqueue(tx, story.id, stage.type, services.config.queue.maxAttempts);
  });
  return { story: (await getStory(db, story.id))!, stage: stage.type };
}
