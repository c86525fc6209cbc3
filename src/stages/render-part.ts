import fs from 'node:fs';
import { PermanentError } from '../errors.js';
import { etaMeter, withEta } from '../media/eta.js';
import { planRender } from '../media/render.js';
import { renderPart } from '../media/run-render.js';
import { drawPictures, renderInputs } from './render-inputs.js';
import { fingerprint, partKey, partOrder } from './render-parts.js';
import type { Task } from './types.js';
import { makeTempDir } from '../scratch.js';

/**
 * One part of a long render (src/stages/render-parts.ts), on whichever worker takes it: the render planned
 * again from the story (it must come out the same as the planner's: same fingerprint), only this part's
 * pictures drawn or fetched, its ffmpeg run, the part stored. A part already stored is not rendered again.
 */
export const renderPartTask: Task = {
  type: 'render_part',
  of: 'render_video',
  title: 'Render one part of the video',
  async run(story, ctx) {
    const order = partOrder(ctx.job?.payload);
    const name = `part ${order.part + 1} of ${order.parts}`;
    const key = partKey(story.id, order.plan, order.part);
    if (await ctx.storage.exists(key)) {
      ctx.progress(`${name} already stored`);
      return;
    }
    const tmp = await makeTempDir('la-part-');
    try {
      const inputs = await renderInputs(story, ctx, tmp, { sound: false, processes: order.processes });
      const plan = planRender(inputs.spec);
      if (plan.parts.length !== order.parts || fingerprint(plan) !== order.plan) {
        throw new PermanentError(
          `${name}: this worker plans the render differently from the worker that enqueued the parts; give every worker the same video settings, then \`lost-archives retry ${story.id} --from render_video\``,
        );
      }
      const part = plan.parts[order.part];
      const used = Object.keys(part.frames.pictures).map(Number);
      await drawPictures(story, ctx, inputs, used);
      // the subtitles sheet only when a cue falls in this part
      if (plan.captions && part.frames.cues.length) {
        await fs.promises.writeFile(plan.captions.sheet.path, plan.captions.sheet.content);
        await ctx.media.run(plan.captions.job, { signal: ctx.signal });
      }
      ctx.progress(`rendering ${name}`);
      const started = Date.now();
      const meter = etaMeter(part.seconds, () => performance.now());
      const onProgress = (s: number) => ctx.progress(withEta(`${name}: ${s.toFixed(1)} of ${part.seconds.toFixed(1)}s`, meter(s)));
      await renderPart(plan, order.part, (job, opts) => ctx.media.run(job, opts), { signal: ctx.signal, onProgress });
      if (ctx.signal.aborted) return;
      await ctx.storage.put(key, { file: part.job.output }, 'video/mp4', ctx.signal);
      ctx.log.info('part rendered', { part: order.part, parts: order.parts, seconds: part.seconds, took: (Date.now() - started) / 1000 });
    } finally {
      await fs.promises.rm(tmp, { recursive: true, force: true });
    }
  },
};
