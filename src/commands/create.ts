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
  /** hold the upload for `approve` (undefined: publish.approval) */
  approval?: boolean;
  json?: boolean;
}

/** `create "topic"` or `create --script story.md`: enqueue a story and print its id. */
export async function create(g: GlobalOptions, topicArg: string | undefined, opts: CreateOptions): Promise<void> {
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
