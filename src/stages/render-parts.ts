import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PermanentError, WaitingError } from '../errors.js';
import { type RenderPlan, planRender } from '../media/render.js';
import { runSoundtrack } from '../media/soundtrack.js';
import { enqueuePart, partJobs } from '../queue/jobs.js';
import { keys } from '../storage/types.js';
import type { Story } from '../types.js';
import { type RenderInputs, checkAndStore } from './render-inputs.js';
import type { StageContext } from './types.js';

/**
 * A long render spread over workers: render_video plans the parts (the same cut points as in one
 * process), enqueues a `render_part` job for each part not yet stored, makes and stores the soundtrack
 * while other workers render them, and hands itself back to the queue until every part is stored
 * (src/stages/render-part.ts renders one); then it joins parts and soundtrack, checks and stores the
 * video as it would have in one process.
 */

/** How long a render waiting for its parts stays handed back before it looks again (the last part wakes it at once). */
export const WAIT_SECONDS = 30;

export const partsPrefix = (storyId: string) => keys.story(storyId, 'parts');
/** A part's key (`part-<k>.mp4`), or the soundtrack's (`soundtrack.m4a`), under the plan's fingerprint. */
export const partKey = (storyId: string, plan: string, part: number | 'soundtrack') =>
  keys.story(storyId, `parts/${plan}/${part === 'soundtrack' ? 'soundtrack.m4a' : `part-${part}.mp4`}`);

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

/** The plan's fingerprint: every part's frames and encoder settings, the pictures' names and the captions, not where the files are. */
export function fingerprint(plan: RenderPlan): string {
  const parts = plan.parts.map((p) => [p.frames, p.job.outputOptions, p.seconds]);
  const pictures = plan.pictures.map((p) => path.basename(p));
  return crypto.createHash('sha256').update(JSON.stringify([parts, pictures, plan.captions?.sheet.content ?? null])).digest('hex').slice(0, 16);
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
  }
  // the soundtrack beside the parts, as in one process: this worker makes it while the others render (its
  // inputs change only by a retry, which deletes everything under parts/)
  const [soundtrack, list] = [plan.join.inputs[1].path, plan.join.inputs[0].path];
  const soundKey = partKey(story.id, fp, 'soundtrack');
  if (!(await ctx.storage.exists(soundKey))) {
    ctx.progress('mixing the soundtrack');
    await runSoundtrack(plan.audio, (job, opts) => ctx.media.run(job, opts), ctx.signal);
    if (ctx.signal.aborted) return;
    await ctx.storage.put(soundKey, { file: soundtrack }, 'audio/mp4', ctx.signal);
  }
  if (missing.length) {
    ctx.progress(`waiting for ${missing.length} of ${n} parts`);
    throw new WaitingError(`waiting for ${missing.length} of ${n} parts (render_part jobs)`, WAIT_SECONDS);
  }
  ctx.progress(`joining ${n} parts`);
  if (!fs.existsSync(soundtrack)) await fs.promises.symlink(await ctx.storage.localPath(soundKey, ctx.signal), soundtrack);
  for (const [k, part] of plan.parts.entries()) {
    await fs.promises.symlink(await ctx.storage.localPath(partKey(story.id, fp, k), ctx.signal), part.job.output);
  }
  await fs.promises.writeFile(list, plan.list.content);
  await ctx.media.run(plan.join, { signal: ctx.signal });
  if (ctx.signal.aborted) return;
  await checkAndStore(story, ctx, inputs);
  if (ctx.signal.aborted) return;
  await ctx.storage.removePrefix(partsPrefix(story.id));
}
