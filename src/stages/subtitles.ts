import { deleteAssets, listScenes } from '../db/stories.js';
import { subtitleFont } from '../media/fonts.js';
import { buildCues } from '../media/cues.js';
import { toAss, toSrt } from '../media/subtitles.js';
import { sceneTimeline } from '../media/timeline.js';
import { storeAsset } from '../storage/assets.js';
import type { Stage } from './types.js';

/** Subtitles: cues from the sentence timings placed on the timeline, as SRT (delivered) and ASS (burned). */
export const subtitlesStage: Stage = {
  type: 'generate_subtitles',
  status: 'generating_subtitles',
  title: 'Time the subtitles',
  needs: ['generate_audio'],
  async run(story, ctx) {
    const scenes = await listScenes(ctx.db, story.id);
    const timeline = sceneTimeline(scenes, ctx.config.video);
    const { width, height } = ctx.config.video;
    const cues = buildCues(scenes.map((s) => ({ timings: s.sentence_timings ?? [] })), timeline, { width, height });
    await storeAsset(ctx, story.id, { kind: 'captions_srt', file: 'captions.srt', contentType: 'application/x-subrip', source: Buffer.from(toSrt(cues)) });
    const ass = toAss(cues, { width, height, font: subtitleFont(story.language), size: 0.045 });
    await storeAsset(ctx, story.id, { kind: 'captions_ass', file: 'captions.ass', contentType: 'text/x-ssa', source: Buffer.from(ass) });
    ctx.progress(`${cues.length} cues`);
  },
  async reset(story, ctx) {
    await deleteAssets(ctx.db, story.id, ['captions_srt', 'captions_ass']);
  },
};
