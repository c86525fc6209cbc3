import { setTimeout as delay } from 'node:timers/promises';
import { Listr, type ListrRendererValue } from 'listr2';
import { getStory } from './db/stories.js';
import { forTerminal } from './control-chars.js';
import { RuntimeError, ShutdownError } from './errors.js';
import { executeJob } from './queue/execute.js';
import { claim } from './queue/jobs.js';
import { storyProgress } from './queue/progress.js';
import { type Pipeline, needsOf } from './stages/index.js';
import type { Services, Stage } from './stages/types.js';
import { activeJobs } from './retry.js';

const sleep = (ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }).catch(() => {});

/**
 * Drives one story through every remaining stage in this process, through the same jobs table the
 * workers use: each Listr task claims its stage's job for this story once the stages it needs are done,
 * so stages that need nothing of each other run side by side. Stages finished earlier (by this command
 * or any worker) show as done; a job another worker holds is waited for.
 */
export function buildStoryRun(services: Services, pipeline: Pipeline, storyId: string, opts: { worker: string; stop: AbortSignal; renderer: ListrRendererValue }) {
  const { db, config } = services;
  const pollMs = config.queue.pollSeconds * 1000;
  // a stage finished here wakes the tasks waiting for it at once; the poll is for other workers' work
  let wake = new AbortController();
  const woken = () => {
    wake.abort();
    wake = new AbortController();
  };
  // when one task fails, the others stop waiting, and the failure is reported once their running jobs end
  const halt = new AbortController();
  const running = new Set<Promise<unknown>>();
  const fail = async (err: unknown): Promise<never> => {
    halt.abort();
    await Promise.allSettled(running);
    throw err;
  };
  async function runStage(stage: Stage, task: { title: string; output: string | undefined; skip(message: string): void }): Promise<void> {
    for (;;) {
      if (opts.stop.aborted) throw new ShutdownError();
      if (halt.signal.aborted) return;
      const story = await getStory(db, storyId);
      if (!story) throw new RuntimeError(`story ${storyId} no longer exists`);
      if (story.status === 'failed') {
        throw new RuntimeError(`story failed: ${forTerminal(story.error_message ?? '')}. Fix the cause, then run \`lost-archives retry ${story.id}\``);
      }
      if ((await storyProgress(db, pipeline, storyId)).done.has(stage.type)) {
        if (task.output === undefined) task.title = `${stage.title} (done earlier)`;
        return;
      }
      const job = await claim(db, opts.worker, [stage.type], config.queue.leaseSeconds, storyId);
      if (job) {
        const run = executeJob(services, job, { worker: opts.worker, pipeline, shutdown: opts.stop, progress: (text) => (task.output = forTerminal(text)) });
        running.add(run);
        const result = await run.finally(() => running.delete(run));
        woken();
        if (result.outcome === 'completed') return;
        // released without a stop: the database failed mid-stage and the job went back; claim it again
        if (result.outcome === 'released' && opts.stop.aborted) throw new ShutdownError();
        if (result.outcome === 'retry') task.output = forTerminal(`attempt ${job.attempts} failed (${result.error}); retrying`);
        continue;
      }
      const [active] = (await activeJobs(db, storyId)).filter((j) => j.type === stage.type);
      // (read again: another worker may have completed the stage since the read above)
      const now = await storyProgress(db, pipeline, storyId);
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
        await sleep(Math.min(wait + 50, 60_000), AbortSignal.any([opts.stop, halt.signal]));
        continue;
      } else if (!now.active.has(stage.type) && !now.done.has(stage.type) && needsOf(pipeline, stage).every((n) => now.done.has(n))) {
        throw new RuntimeError(`no ${stage.type} job is queued for story ${story.id}; run \`lost-archives retry ${story.id} --from ${stage.type}\``);
      }
      await sleep(pollMs, AbortSignal.any([opts.stop, halt.signal, wake.signal]));
    }
  }
  return new Listr(
    pipeline.map((stage) => ({
      title: stage.title,
      task: (_: unknown, task: { title: string; output: string | undefined; skip(message: string): void }) => runStage(stage, task).catch(fail),
    })),
    {
      renderer: opts.renderer,
      fallbackRenderer: 'simple',
      concurrent: true,
      exitOnError: true,
      // our own handler hands the running job back to the queue (listr2's would exit at once with 127)
      registerSignalListeners: false,
      rendererOptions: { collapseSubtasks: false },
    },
  );
}
