import { importStories } from '../import/index.js';
import { PIPELINE } from '../stages/index.js';
import { UsageError } from '../errors.js';
import { createStory, readScriptFile } from '../stories.js';
import { type GlobalOptions, parseBudget, printJson, withServices } from './common.js';

export interface CreateOptions {
  language?: string;
  script?: string;
  budget?: string;
  /** youtube publisher: this story's privacy and publish time, over the config's */
  privacy?: string;
  publishAt?: string;
  /** a topics file: one story a row */
  from?: string;
  /** hold the upload for `approve` (undefined: publish.approval) */
  approval?: boolean;
  json?: boolean;
}

/** `create "topic"` or `create --script story.md`: enqueue a story and print its id. */
export async function create(g: GlobalOptions, topicArg: string | undefined, opts: CreateOptions): Promise<void> {
  if (opts.from !== undefined) return createFrom(g, topicArg, opts);
  const fromFile = opts.script ? readScriptFile(opts.script, topicArg) : null;
  const topic = fromFile?.topic ?? topicArg;
  const budget = parseBudget(opts.budget);
  if (topic === undefined) throw new UsageError('give a topic (`lost-archives create "The Library of Alexandria"`) or --script FILE');
  await withServices(g, { logLevel: 'warn', announce: !opts.json, enqueues: true }, async (s) => {
    const story = await createStory(s, PIPELINE, { topic, language: opts.language, budget_usd: budget, privacy: opts.privacy, publish_at: opts.publishAt, approval: opts.approval }, fromFile?.script);
    if (opts.json) printJson({ story_id: story.id, status: story.status });
    else process.stdout.write(`${story.id}\n`);
  });
}

/** `create --from topics.csv`: one story a row; rows already imported from this file are skipped. */
async function createFrom(g: GlobalOptions, topicArg: string | undefined, opts: CreateOptions & { from?: string }): Promise<void> {
  const clash = [topicArg !== undefined && 'a topic', opts.script && '--script', opts.language && '--language', opts.budget && '--budget', opts.privacy && '--privacy', opts.publishAt && '--publish-at'].filter(Boolean);
  if (clash.length) throw new UsageError(`--from takes every story's values from the file's columns; drop ${clash.join(', ')}`);
  await withServices(g, { logLevel: 'warn', announce: !opts.json, enqueues: true }, async (s) => {
    const r = await importStories(s, PIPELINE, opts.from!);
    if (opts.json) return printJson(r);
    for (const row of r.created) process.stdout.write(`${row.story_id}  created  line ${row.line}: ${row.topic}\n`);
    for (const row of r.skipped) process.stdout.write(`${row.story_id}  skipped  line ${row.line}: ${row.topic} (imported before)\n`);
    process.stderr.write(`${r.created.length} created, ${r.skipped.length} already imported from ${r.file}\n`);
  });
}
