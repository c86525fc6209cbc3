import { forTerminal } from '../control-chars.js';
import { ExitError, RuntimeError, UsageError } from '../errors.js';
import { defaultWorkerName } from '../queue/worker.js';
import { buildStoryRun } from '../run-story.js';
import { JOB_TYPES, PIPELINE } from '../stages/index.js';
import { createStory, readScriptFile, resolveStory } from '../stories.js';
import { getStoryDetail } from '../db/stories.js';
import { type GlobalOptions, parseBudget, printJson, stopSignal, withServices } from './common.js';

export interface RunOptions {
  story?: string;
  script?: string;
  language?: string;
  budget?: string;
  /** youtube publisher: a new story's privacy and publish time, over the config's */
  privacy?: string;
  publishAt?: string;
  /** hold the upload for `approve` (undefined: publish.approval) */
  approval?: boolean;
  json?: boolean;
}

/** `run "topic"` or `run --story ID`: drive one story end to end in this process. */
export async function run(g: GlobalOptions, topic: string | undefined, opts: RunOptions): Promise<void> {
  if ((topic || opts.script) && opts.story) throw new UsageError('give either a new story (a topic or --script) or --story ID, not both');
  const fromFile = opts.script ? readScriptFile(opts.script, topic) : null;
  if (opts.budget !== undefined && opts.story) throw new UsageError('--budget is set when a story is created; it cannot change an existing story');
  const budget = parseBudget(opts.budget);
  if (!topic && !fromFile && !opts.story) throw new UsageError('give a topic (`lost-archives run "The Library of Alexandria"`), --script FILE or --story ID');
  await withServices(g, { logLevel: 'warn', announce: !opts.json, preflight: JOB_TYPES }, async (s) => {
    if ((opts.privacy !== undefined || opts.publishAt !== undefined || opts.approval !== undefined) && opts.story) throw new UsageError('--privacy, --publish-at and --approval go with a new story, not --story');
    const story = opts.story
      ? await resolveStory(s.db, opts.story)
      : await createStory(s, PIPELINE, { topic: fromFile?.topic ?? topic!, language: opts.language, budget_usd: budget, privacy: opts.privacy, publish_at: opts.publishAt, approval: opts.approval }, fromFile?.script);
    if (!opts.json) process.stdout.write(`story ${story.id}: ${forTerminal(story.topic)}\n`);
    const stop = stopSignal();
    const renderer = opts.json ? 'silent' : process.stdout.isTTY && !process.env.CI ? 'default' : 'simple';
    const tasks = buildStoryRun(s, PIPELINE, story.id, { worker: `run-${defaultWorkerName()}`, stop, renderer });
    let failure: unknown = null;
    try {
      await tasks.run();
    } catch (err) {
      failure = err;
    }
    const detail = await getStoryDetail(s.db, story.id);
    if (opts.json) printJson(detail);
    if (stop.aborted) {
      process.stderr.write(`interrupted: the running job went back to the queue; resume with \`lost-archives run --story ${story.id}\`\n`);
      throw new ExitError(130);
    }
    if (failure) throw failure instanceof RuntimeError ? failure : new RuntimeError((failure as Error).message);
    const held = detail?.jobs.find((j) => j.held);
    if (!opts.json && held) process.stdout.write(`${held.held}: \`lost-archives review ${story.id.slice(0, 8)}\`, then \`approve\` or \`reject --from STAGE\`\n`);
    else if (!opts.json && detail) {
      const video = detail.assets.find((a) => a.kind === 'video');
      process.stdout.write(`published: ${detail.youtube_url ?? `${s.config.publishDir}/${detail.id}/video.mp4`}\n`);
      if (video) process.stdout.write(`video asset: ${video.url}\n`);
    }
  });
}
