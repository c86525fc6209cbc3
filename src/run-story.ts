import { setTimeout as delay } from 'node:timers/promises';
import { Listr, type ListrRendererValue } from 'listr2';
import { getStory } from './db/stories.js';
import { forTerminal } from './control-chars.js';
import { RuntimeError, ShutdownError } from './errors.js';
import { executeJob } from './queue/execute.js';
import { claim } from './queue/jobs.js';
import { type Pipeline, progressIndex } from './stages/index.js';
import type { Services } from './stages/types.js';
import { activeJobs } from './retry.js';

const sleep = (ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }).catch(() => {});

/**
 * Drives one story through every remaining stage in this process, through the same jobs table the
 * workers use: each Listr task claims its stage's job for this story and runs it. Stages finished
 * earlier (by this command or any worker) show as done; a job another worker holds is waited for.
 */
export function buildStoryRun(services: Services, pipeline: Pipeline, storyId: string, opts: { worker: string; stop: AbortSignal; renderer: ListrRendererValue }) {
  const { db, config } = services;
  const pollMs = config.queue.pollSeconds * 1000;
  return new Listr(
    pipeline.map((stage, i) => ({
      title: stage.title,
      task: async (_: unknown, task: { title: string; output: string | undefined; skip(message: string): void }) => {
        for (;;) {
          if (opts.stop.aborted) throw new ShutdownError();
          const story = await getStory(db, storyId);
          if (!story) throw new RuntimeError(`story ${storyId} no longer exists`);
          if (story.status === 'failed') {
            throw new RuntimeError(`story failed: ${forTerminal(story.error_message ?? '')}. Fix the cause, then run \`lost-archives retry ${story.id}\``);
          }
          if (progressIndex(pipeline, story.status) > i) {
            if (task.output === undefined) task.title = `${stage.title} (done earlier)`;
            return;
          }
          const job = await claim(db, opts.worker, [stage.type], config.queue.leaseSeconds, storyId);
          if (job) {
            const result = await executeJob(services, job, {
              worker: opts.worker,
              pipeline,
              shutdown: opts.stop,
              progress: (text) => (task.output = forTerminal(text)),
            });
            if (result.outcome === 'completed') return;
            // released without a stop: the database failed mid-stage and the job went back; claim it again
            if (result.outcome === 'released' && opts.stop.aborted) throw new ShutdownError();
            if (result.outcome === 'retry') task.output = forTerminal(`attempt ${job.attempts} failed (${result.error}); retrying`);
            continue;
          }
          const [active] = (await activeJobs(db, storyId)).filter((j) => j.type === stage.type);
          if (active?.status === 'processing') {
            // once: the plain renderer prints every assignment as a new line
            const waiting = `in progress on worker ${active.locked_by}; waiting`;
            if (task.output !== waiting) task.output = waiting;
          } else if (active?.held) {
            // a person decides when it runs: this command's part is done
            task.skip(`${stage.title}: ${active.held} (\`lost-archives review ${story.id.slice(0, 8)}\`, then approve or reject)`);
            return;
          } else if (active?.status === 'queued' && active.run_at) {
            const wait = Math.max(0, active.run_at.getTime() - Date.now());
            task.output = `next attempt in ${Math.ceil(wait / 1000)}s`;
            await sleep(Math.min(wait + 50, 60_000), opts.stop);
            continue;
          } else if (progressIndex(pipeline, (await getStory(db, storyId))?.status ?? story.status) === i) {
            // (read again: another worker may have completed the stage since the read above)
            throw new RuntimeError(`no ${stage.type} job is queued for story ${story.id}; run \`lost-archives retry ${story.id} --from ${stage.type}\``);
          }
          await sleep(pollMs, opts.stop);
        }
      },
    })),
    {
      renderer: opts.renderer,
      fallbackRenderer: 'simple',
      exitOnError: true,
      // our own handler hands the running job back to the queue (listr2's would exit at once with 127)
      registerSignalListeners: false,
      rendererOptions: { collapseSubtasks: false },
    },
  );
}
