import { z } from 'zod';
import fs from 'node:fs';
import path from 'node:path';
import { costByStory, totalCost } from './db/costs.js';
import { type StoryResearch, getResearch } from './db/research.js';
import { type StoryDetail, findStory, jobRow, getStory, getStoryDetail, insertStory, listStories, saveScript } from './db/stories.js';
import { parseStoryVideoSettings, saveStoryVideoSettings } from './providers/publish/youtube/settings.js';
import { parseScriptMarkdown } from './providers/text/markdown.js';
import type { ScriptDraft } from './providers/types.js';
import type { Db, Queryable } from './db/types.js';
import { plainLine } from './control-chars.js';
import { ConflictError, NotFoundError, UsageError, errorMessage } from './errors.js';
import { LANGUAGES, isLanguage } from './languages.js';
import { enqueue } from './queue/jobs.js';
import { type Pipeline, progressIndex, stageOf } from './stages/index.js';
import type { Services } from './stages/types.js';
import type { Job, JobType, Story } from './types.js';

/** What a new story needs; the CLI and the HTTP API validate with this one schema. */
export const newStorySchema = z.strictObject({
  topic: z
    .string({ error: (iss) => (iss.input === undefined ? 'give a topic: the subject of the documentary, e.g. "The Library of Alexandria"' : 'the topic must be a string') })
    .trim()
    .min(1, 'the topic is empty: give the subject of the documentary, e.g. "The Library of Alexandria"')
    .max(500, 'the topic is longer than 500 characters: give a short subject, not a script')
    .superRefine(plainLine('topic')),
  language: z
    .string()
    .refine(isLanguage, { error: (iss) => `unknown language "${String(iss.input)}"; use one of ${Object.keys(LANGUAGES).join(', ')}` })
    .optional()
    .describe('language of script and narration; absent: the configured default language'),
  budget_usd: z
    .number()
    .positive('the budget must be more than 0 USD')
    .max(100_000, 'the budget is over 100000 USD; give it in dollars, e.g. 5')
    .optional()
    .describe("spending limit in USD for the story's paid provider calls"),
  privacy: z.string().optional().describe('youtube publisher: private, unlisted or public for this story (default: youtube.privacy)'),
  publish_at: z.string().optional().describe('youtube publisher: publish at this time, ISO 8601 with zone, e.g. 2026-12-01T17:00:00Z (needs privacy private)'),
  approval: z.boolean({ error: 'approval must be true or false' }).optional().describe('hold the upload until approved (default: publish.approval in the config)'),
});
export type NewStory = z.input<typeof newStorySchema>;

/** One line from zod's issues, as the CLI prints it and the API answers it. */
export function issuesMessage(issues: readonly { message: string }[]): string {
  return issues.map((i) => i.message).join('; ');
}

export function validateNewStory(input: NewStory): z.output<typeof newStorySchema> {
  const r = newStorySchema.safeParse(input);
  if (!r.success) throw new UsageError(issuesMessage(r.error.issues));
  return r.data;
}

/**
 * Writes the story (pending) and its first job in one transaction; with the operator's own script,
 * its scenes too (the script stage then finds them and writes nothing).
 */
export async function createStory(
  services: Services,
  pipeline: Pipeline,
  input: NewStory,
  script?: ScriptDraft,
  /** more writes in the same transaction (an import's row key); throwing rolls the story back */
  within?: (tx: Queryable, story: Story) => Promise<void>,
): Promise<Story> {
  const language = input.language ?? services.config.language; // the configured default is checked like a given one
  const { topic, budget_usd, privacy, publish_at, approval } = validateNewStory({ ...input, language });
  const video = parseStoryVideoSettings(services.config, { privacy, publishAt: publish_at });
  return services.db.transaction(async (tx) => {
    const story = await insertStory(tx, topic, language, budget_usd ?? null, approval ?? services.config.publish.approval);
    if (video) await saveStoryVideoSettings(tx, story.id, video);
    if (script) await saveScript(tx, story.id, script.script, script.source, script.scenes);
    if (within) await within(tx, story);
    await enqueue(tx, story.id, pipeline[0].type, services.config.queue.maxAttempts);
    return story;
  });
}

/** Reads and checks the operator's Markdown script; the topic on the command line wins over its `# ` title. */
export function readScriptFile(file: string, topic: string | undefined): { topic: string; script: ScriptDraft } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read the script ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(err)}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`the script ${file} is not UTF-8 text; save it as UTF-8`);
  }
  const parsed = parseScriptMarkdown(text, path.basename(file));
  const chosen = topic ?? parsed.topic;
  if (!chosen) throw new UsageError(`give a topic, or start ${file} with a "# Topic" line`);
  return { topic: chosen, script: parsed.draft };
}

/** Resolves a full story id or a unique prefix (as `status` prints them); unknown ids are usage errors. */
export async function resolveStory(db: Db, idOrPrefix: string): Promise<Story> {
  const found = await findStory(db, idOrPrefix.trim());
  if (found.length === 1) return found[0];
  if (found.length > 1) throw new UsageError(`story id prefix "${idOrPrefix}" matches ${found.length} stories; give more characters`);
  throw new NotFoundError(`no story with id "${idOrPrefix}"; \`lost-archives status\` lists stories`);
}

/** One story as `status ID --json` prints it and `GET /stories/{id}` answers: the row with its scenes, jobs, assets and research. */
export async function storyDetail(db: Db, idOrPrefix: string): Promise<StoryDetail & { research: StoryResearch }> {
  const story = await resolveStory(db, idOrPrefix);
  return { ...(await getStoryDetail(db, story.id))!, research: await getResearch(db, story.id) };
}

/** A whole number from 0 to `max`, also from a flag or query string ("20"). */
function count(name: string, max: number, dflt: number, description: string) {
  const error = `${name} must be a whole number from 0 to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(0, { error }).max(max, { error }).default(dflt).describe(description);
}

/** How `status` and `GET /stories` page through stories (newest first). */
export const storyPageSchema = z.strictObject({
  limit: count('limit', 1000, 20, 'stories per page'),
  offset: count('offset', 1_000_000, 0, 'stories to skip'),
});
export type StoryPage = z.output<typeof storyPageSchema>;

/**
 * A page of stories as `status --json` prints it and `GET /stories` answers:
 * `{stories (each with cost_usd), total, limit, offset, total_cost_usd}`.
 */
export async function storyPage(
  db: Db,
  page: StoryPage,
): Promise<{ stories: (Story & { cost_usd: number })[]; total: number; limit: number; offset: number; total_cost_usd: number }> {
  const { stories, total } = await listStories(db, page.limit, page.offset);
  const costs = await costByStory(db, stories.map((x) => x.id));
  return {
    stories: stories.map((x) => ({ ...x, cost_usd: costs.get(x.id) ?? 0 })),
    total,
    limit: page.limit,
    offset: page.offset,
    total_cost_usd: await totalCost(db),
  };
}

export async function activeJobs(db: Queryable, storyId: string): Promise<Job[]> {
  return (await db.query<Job>("select * from jobs where story_id = $1 and status in ('queued', 'processing') order by id", [storyId])).map(jobRow);
}

/**
 * Resumes a story: at its failed stage, or at `from` (whose work, and every later stage's, is cleared
 * first). Finished work before that stage is kept. Checks, clearing and the new job are one
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
 * clears the work of `from` and later stages, and queues the stage to resume at. Returns its type.
 */
export async function requeueFrom(tx: Queryable, services: Services, pipeline: Pipeline, storyId: string, from?: string, opts: { budgetUsd?: number } = {}): Promise<JobType> {
  const [story] = await tx.query<Story>('select * from stories where id = $1 for update', [storyId]);
  const [active] = await activeJobs(tx, story.id);
  if (active?.held) throw new ConflictError(`story ${story.id} is ${active.held}: \`lost-archives approve ${story.id.slice(0, 8)}\`, or \`reject ${story.id.slice(0, 8)} --from STAGE\``);
  if (active) throw new ConflictError(`story ${story.id} already has job ${active.id} (${active.type}) ${active.status}; wait for it or let its worker finish`);
  // the first stage whose work is not done: stages run in order, so everything before it is
  let undone: number;
  if (story.status === 'failed') {
    const [last] = await tx.query<{ type: string }>("select type from jobs where story_id = $1 and status = 'failed' order by id desc limit 1", [story.id]);
    undone = Math.max(0, pipeline.findIndex((s) => s.type === last?.type));
  } else {
    undone = Math.max(0, progressIndex(pipeline, story.status));
  }
  let index = undone;
  if (from) {
    index = pipeline.findIndex((s) => s.type === from);
    if (index > undone) {
      const need = pipeline[undone].type;
      throw new ConflictError(`cannot start story ${story.id} at ${from}: ${need} has not finished yet; use --from ${need} (or an earlier stage)`);
    }
    for (const later of pipeline.slice(index)) await later.reset(story, { db: tx, storage: services.storage });
  } else if (story.status !== 'failed') {
    throw new ConflictError(`story ${story.id} is ${story.status}, not failed: nothing to resume. To redo work from a stage, use --from STAGE.`);
  }
  const target = pipeline[index];
  await tx.query('update stories set status = $2, error_message = null, updated_at = now() where id = $1', [story.id, target.status]);
  if (opts.budgetUsd !== undefined) await tx.query('update stories set budget_usd = $2 where id = $1', [story.id, opts.budgetUsd]);
  if ((await enqueue(tx, story.id, target.type, services.config.queue.maxAttempts)) === null) {
    throw new ConflictError(`story ${story.id} was queued again by someone else just now`);
  }
  // work redone from a stage is prepared like new work (a gated upload is held again); a resumed job is not
  if (from) await target.queued?.((await getStory(tx, story.id))!, { db: tx, config: services.config });
  return target.type;
}
