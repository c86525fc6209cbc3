import fs from 'node:fs';
import path from 'node:path';
import { deleteAssets, listAssets } from '../db/stories.js';
import { renderProgress } from '../media/eta.js';
import { planRender } from '../media/render.js';
import { runRenderPlan } from '../media/run-render.js';
import { buildThumbnailJob, thumbnailSize, writeHeadline } from '../media/thumbnail.js';
import { CONTACT_SHEET, writeContactSheet } from '../review/contact-sheet.js';
import { storeAsset } from '../storage/assets.js';
import { keys } from '../storage/types.js';
import type { Story } from '../types.js';
import { type RenderInputs, checkAndStore, drawPictures, renderInputs } from './render-inputs.js';
import { partsPrefix, renderFromParts, wantsParts } from './render-parts.js';
import type { StageContext, Stage } from './types.js';
import { makeTempDir } from '../scratch.js';

/** Render: cards, stills, narration, music and subtitles become video.mp4, plus a thumbnail. */
export const renderStage: Stage = {
  type: 'render_video',
  status: 'rendering',
  title: 'Render the video',
  async run(story, ctx) {
    const assets = await listAssets(ctx.db, story.id);
    const stored = async (kind: string, file: string) => assets.some((a) => a.kind === kind) && (await ctx.storage.exists(keys.story(story.id, file)));
    const haveVideo = await stored('video', 'video.mp4');
    const haveThumbnail = await stored('thumbnail', 'thumbnail.jpg');
    const haveSheet = await stored(CONTACT_SHEET.kind, CONTACT_SHEET.file);
    if (haveVideo && haveThumbnail && haveSheet) {
      ctx.progress('video already rendered');
      return;
    }
    const { video } = ctx.config;
    const tmp = await makeTempDir('la-render-');
    try {
      const inputs = await renderInputs(story, ctx, tmp, { sound: !haveVideo });
      const { timeline } = inputs;
      if (!haveVideo) {
        if (wantsParts(ctx, timeline.total)) {
          await renderFromParts(story, ctx, inputs);
          if (ctx.signal.aborted) return;
        } else {
          await renderVideo(story, ctx, inputs);
        }
      }
      const still = await ctx.storage.localPath(keys.scene(story.id, inputs.scenes[0].position, 'image.png'), ctx.signal);
      const headline = path.join(tmp, 'headline.png');
      const size = thumbnailSize(video);
      await writeHeadline(headline, story.metadata?.thumbnailHeadline ?? story.topic, story.language, size);
      const thumbnail = path.join(tmp, 'thumbnail.jpg');
      await ctx.media.run(buildThumbnailJob(still, headline, size, thumbnail), { signal: ctx.signal });
      if (ctx.signal.aborted) return;
      await storeAsset(ctx, story.id, { kind: 'thumbnail', file: 'thumbnail.jpg', contentType: 'image/jpeg', source: { file: thumbnail } });
      const videoFile = haveVideo ? await ctx.storage.localPath(keys.story(story.id, 'video.mp4'), ctx.signal) : inputs.spec.output;
      await writeContactSheet(ctx, story, { video: videoFile, thumbnail }, inputs.scenes);
      if (haveVideo) await ctx.storage.dropLocalCopies(keys.story(story.id, 'video.mp4'));
      if (ctx.signal.aborted) return;
      ctx.progress(`rendered ${timeline.total.toFixed(1)}s`);
      // the stills and narrations were copied here for ffmpeg; remote storage keeps them
      await ctx.storage.dropLocalCopies(keys.story(story.id, 'scenes'));
    } finally {
      await fs.promises.rm(tmp, { recursive: true, force: true });
    }
  },
  async reset(story, ctx) {
    await deleteAssets(ctx.db, story.id, ['video', 'thumbnail', CONTACT_SHEET.kind]);
    await ctx.storage.removePrefix(keys.story(story.id, 'video.mp4'));
    await ctx.storage.removePrefix(keys.story(story.id, 'thumbnail.jpg'));
    await ctx.storage.removePrefix(partsPrefix(story.id));
    await ctx.storage.removePrefix(keys.story(story.id, CONTACT_SHEET.file));
  },
};

/** Cards, soundtrack and the picture into video.mp4 in this process, checked, then stored as the `video` asset. */
async function renderVideo(story: Story, ctx: StageContext, inputs: RenderInputs): Promise<void> {
  const { timeline, spec } = inputs;
  await drawPictures(story, ctx, inputs, timeline.segments.keys());
  const plan = planRender(spec);
  const progress = renderProgress(timeline.total, () => performance.now(), ctx.progress);
  await runRenderPlan(plan, (job, opts) => ctx.media.run(job, opts), { signal: ctx.signal, onProgress: progress });
  if (ctx.signal.aborted) return;
  // ffmpeg's last report can fall a frame short of the end; this line gives the whole render's speed
  progress(timeline.total);
  await checkAndStore(story, ctx, inputs);
}
