import { PIPELINE } from '../stages/index.js';
import { retryStory } from '../retry.js';
import { type GlobalOptions, parseBudget, printJson, withServices } from './common.js';

export interface RetryOptions {
  from?: string;
  budget?: string;
  json?: boolean;
}

/** `retry ID [--from STAGE]`: resume a failed story (or redo it from a stage) without redoing finished work. */
export async function retry(g: GlobalOptions, id: string, opts: RetryOptions): Promise<void> {
  const budgetUsd = parseBudget(opts.budget);
  await withServices(g, { logLevel: 'warn', enqueues: true }, async (s) => {
    const { story, stage } = await retryStory(s, PIPELINE, id, opts.from, { budgetUsd });
    if (opts.json) printJson({ story_id: story.id, status: story.status, stage });
    else process.stdout.write(`story ${story.id} queued again at ${stage}\n`);
  });
}
