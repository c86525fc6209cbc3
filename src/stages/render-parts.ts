import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PermanentError, WaitingError } from '../errors.js';
import { type RenderPlan, planRender, runRenderPlan } from '../media/render.js';
import { enqueuePart, partJobs } from '../queue/jobs.js';
import { keys } from '../storage/types.js';
import type { Story } from '../types.js';
import { type RenderInputs, checkAndStore } from './render-inputs.js';
import type { StageContext } from './types.js';

/**
 * A long render spread over workers: render_video plans the parts (the same cut points as in one
 * process), enqueues a `render_part` job for each part not yet stored, and hands itself back to the queue
 * until every part is stored (src/stages/render-part.ts renders one); then it joins them, adds the
 * soundtrack, checks and stores the video as it would have in one process.
 */

/** How long a render waiting for its parts stays handed back before it looks again (the last part wakes it at once). */
export const WAIT_SECONDS = 30;

export const partsPrefix = (storyId: string) => keys.story(storyId, 'parts');
export const partKey = (storyId: string, plan: string, part: number) => keys.story(storyId, `parts/${plan}/part-${part}.mp4`);

/** What a part job carries: which part, of how many, of which plan, planned for how many processes. */
export interface PartOrder {
  part: number;
  parts: number;
  plan: string;
  processes: number;
}

export function partOrder(payload: Record<string, unknown> | null | undefined): PartOrder {
  const p = payload ?? {};
  const whole = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;
  if (!whole(p.part, 0) || !whole(p.parts, 1) || !whole(p.processes, 1) || typeof p.plan !== 'string' || (p.part as number) >= (p.parts as number)) {
    throw new PermanentError(`a render_part job needs a payload {part, parts, plan, processes}; got ${JSON.stringify(payload)}`);
  }
  return { part: p.part as number, parts: p.parts as number, plan: p.plan, processes: p.processes as number };
}

/** The plan's fingerprint: every part's graph and encoder settings and the captions, not where the files are. */
export function fingerprint(plan: RenderPlan): string {
  const parts = plan.parts.map((p) => [p.job.filter, p.job.outputOptions, p.job.inputs.map((i) => path.basename(i.path)), p.seconds]);
  return crypto.createHash('sha256').update(JSON.stringify([parts, plan.captions?.sheet.content ?? null])).digest('hex').slice(0, 16);
}

/**
 * Whether this render hands its parts to other workers: long enough (`video.distributeAboveMinutes`), run
 * by a worker (`run` renders everything itself), on a shared database and storage every machine can read.
 */
export function wantsParts(ctx: StageContext, seconds: number): boolean {
  const minutes = ctx.config.video.distributeAboveMinutes;
  if (minutes === null || seconds < minutes * 60 || !ctx.handsOutParts) return false;
  // the embedded database serves one process: there is no other worker to hand parts to
  if (ctx.db.kind !== 'postgres') return false;
  if (ctx.storage.kind === 'local') {
    ctx.log.warn(
      `rendering every part of this ${(seconds / 60).toFixed(1)}-minute video here, not as part jobs: storage is a local folder, which workers on other machines cannot read (and the shared database cannot tell whether they mount the same one); use storage kind supabase to spread long renders over workers`,
    );
    return false;
  }
  return true;
}

/** The render from parts rendered by part jobs: enqueues the missing ones and waits, or joins them all. */
export async function renderFromParts(story: Story, ctx: StageContext, inputs: RenderInputs): Promise<void> {
  const plan = planRender(inputs.spec);
  const fp = fingerprint(plan);
  const n = plan.parts.length;
  const stored = await Promise.all(plan.parts.map((_, k) => ctx.storage.exists(partKey(story.id, fp, k))));
  const missing = stored.flatMap((ok, k) => (ok ? [] : [k]));
  if (missing.length) {
    const jobs = (await partJobs(ctx.db, story.id)).filter((j) => j.payload?.plan === fp);
    for (const k of missing) {
      const last = jobs.filter((j) => j.payload?.part === k).at(-1);
      // a part that failed for good since this render began fails the render; one from an earlier try is tried again
      if (last?.status === 'failed' && last.id > (ctx.job?.id ?? Infinity)) throw new PermanentError(`part ${k + 1} of ${n} failed: ${last.last_error}`);
      const order: PartOrder = { part: k, parts: n, plan: fp, processes: inputs.spec.processes };
      await enqueuePart(ctx.db, story.id, { ...order }, ctx.config.queue.maxAttempts);
    }
    ctx.progress(`waiting for ${missing.length} of ${n} parts`);
    throw new WaitingError(`waiting for ${missing.length} of ${n} parts (render_part jobs)`, WAIT_SECONDS);
  }
  ctx.progress(`joining ${n} parts`);
  for (const [k, part] of plan.parts.entries()) {
    await fs.promises.symlink(await ctx.storage.localPath(partKey(story.id, fp, k), ctx.signal), part.job.output);
  }
  await runRenderPlan(plan, (job, opts) => ctx.media.run(job, opts), { signal: ctx.signal, partsReady: true });
  if (ctx.signal.aborted) return;
  await checkAndStore(story, ctx, inputs);
  if (ctx.signal.aborted) return;
  await ctx.storage.removePrefix(partsPrefix(story.id));
}
