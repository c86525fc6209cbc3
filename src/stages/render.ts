import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deleteAssets, listAssets, listScenes } from '../db/stories.js';
import { buildRenderJob, buildThumbnailJob } from '../media/render.js';
import { sceneTimeline } from '../media/timeline.js';
import { storeAsset } from '../storage/assets.js';
import { keys } from '../storage/types.js';
import { wrapText } from '../text.js';
import type { Stage } from './types.js';

/** Render: stills, narration and subtitles become video.mp4, plus a thumbnail. */
export const renderStage: Stage = {
  type: 'render_video',
  status: 'rendering',
  title: 'Render the video',
  async run(story, ctx) {
    const assets = await listAssets(ctx.db, story.id);
    const has = (kind: string) => assets.some((a) => a.kind === kind);
    if (has('video') && has('thumbnail') && (await ctx.storage.exists(keys.story(story.id, 'video.mp4')))) {
      ctx.progress('video already rendered');
      return;
    }
    const scenes = await listScenes(ctx.db, story.id);
    const timeline = sceneTimeline(scenes, ctx.config.video);
    const stills = await Promise.all(scenes.map((s) => ctx.storage.localPath(keys.scene(story.id, s.position, 'image.png'))));
    const narrations = await Promise.all(scenes.map((s) => ctx.storage.localPath(keys.scene(story.id, s.position, 'narration.wav'))));
    const burn = ctx.config.video.subtitles === 'burn';
    const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'la-render-'));
    try {
      let subtitles: string | null = null;
      if (burn) {
        subtitles = path.join(tmp, 'captions.ass');
        await fs.promises.copyFile(await ctx.storage.localPath(keys.story(story.id, 'captions.ass')), subtitles);
      }
      const video = path.join(tmp, 'video.mp4');
      const job = buildRenderJob({ stills, narrations, timeline, ...ctx.config.video, subtitles, output: video });
      let lastPct = -1;
      await ctx.media.run(job, {
        signal: ctx.signal,
        onProgress: (seconds) => {
          // in 5% steps: enough to see it move, few enough for plain-line output
          const pct = Math.min(100, Math.floor((seconds / timeline.total) * 20) * 5);
          if (pct !== lastPct) ctx.progress(`${pct}% of ${timeline.total.toFixed(1)}s`);
          lastPct = pct;
        },
      });
      const headline = path.join(tmp, 'headline.txt');
      await fs.promises.writeFile(headline, wrapText(story.metadata?.title ?? story.topic, 38).slice(0, 2).join('\n'));
      const thumbnail = path.join(tmp, 'thumbnail.jpg');
      await ctx.media.run(buildThumbnailJob(stills[0], headline, thumbnail), { signal: ctx.signal });
      if (ctx.signal.aborted) return;
      await storeAsset(ctx, story.id, { kind: 'video', file: 'video.mp4', contentType: 'video/mp4', source: { file: video } });
      await storeAsset(ctx, story.id, { kind: 'thumbnail', file: 'thumbnail.jpg', contentType: 'image/jpeg', source: { file: thumbnail } });
      ctx.progress(`rendered ${timeline.total.toFixed(1)}s`);
    } finally {
      await fs.promises.rm(tmp, { recursive: true, force: true });
    }
  },
  async reset(story, ctx) {
    await deleteAssets(ctx.db, story.id, ['video', 'thumbnail']);
    await ctx.storage.removePrefix(keys.story(story.id, 'video.mp4'));
  },
};
