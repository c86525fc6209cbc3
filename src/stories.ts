import { z } from 'zod';
import fs from 'node:fs';
import path from 'node:path';
import { costByStory, totalCost } from './db/costs.js';
import { type StoryResearch, getResearch } from './db/research.js';
import { type StoryDetail, findStory, getStoryDetail, insertStory, listStories, saveScript } from './db/stories.js';
import { parseStoryVideoSettings, saveStoryVideoSettings } from './providers/publish/youtube/settings.js';
import { parseScriptMarkdown } from './providers/text/markdown.js';
import type { ScriptDraft } from './providers/types.js';
import type { Db, Queryable } from './db/types.js';
import { plainLine } from './control-chars.js';
import { NotFoundError, UsageError, errorMessage } from './errors.js';
import { LANGUAGES, isLanguage } from './languages.js';
import { enqueue } from './queue/jobs.js';
import type { Pipeline } from './stages/index.js';
import type { Services } from './stages/types.js';
import type { Story } from './types.js';

/**
 * An amount of US dollars as written by a person (`2.50`, `$5`, `.5`): decimal digits only, so `0x10`,
 * `1e3` or `2,50` are not read as JavaScript numbers; null when it is not one. `--budget` and the
 * `budget` column of `create --from` both read budgets with it.
 */
export function decimalUsd(text: string): number | null {
  const m = /^\s*\$?(\d+(?:\.\d+)?|\.\d+)\s*$/.exec(text);
  return m ? Number(m[1]) : null;
}

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
