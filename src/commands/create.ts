import { PIPELINE } from '../stages/index.js';
import { createStory } from '../stories.js';
import { type GlobalOptions, printJson, withServices } from './common.js';

export interface CreateOptions {
  language?: string;
  json?: boolean;
}

/** `create "topic"`: enqueue a story and print its id. */
export async function create(g: GlobalOptions, topic: string, opts: CreateOptions): Promise<void> {
  await withServices(g, { logLevel: 'warn', announce: !opts.json }, async (s) => {
    const story = await createStory(s, PIPELINE, { topic, language: opts.language ?? s.config.language });
    if (opts.json) printJson({ story_id: story.id, status: story.status });
    else process.stdout.write(`${story.id}\n`);
  });
}
