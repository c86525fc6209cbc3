import { PIPELINE } from '../stages/index.js';
import { retryStory } from '../stories.js';
import { type GlobalOptions, printJson, withServices } from './common.js';

export interface RetryOptions {
  from?: string;
  json?: boolean;
}

/** `retry ID [--from STAGE]`: resume a failed story (or redo it from a stage) without redoing finished work. */
export async function retry(g: GlobalOptions, id: string, opts: RetryOptions): Promise<void> {
  await withServices(g, { logLevel: 'warn', credentials: true }, async (s) => {
    const { story, stage } = await retryStory(s, PIPELINE, id, opts.from);
    if (opts.json) printJson({ story_id: story.id, status: story.status, stage });
    else process.stdout.write(`story ${story.id} queued again at ${stage}\n`);
  });
}
