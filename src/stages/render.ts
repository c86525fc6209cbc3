import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deleteAssets, listAssets, listScenes } from '../db/stories.js';
import { PermanentError } from '../errors.js';
import { cardText, drawCard } from '../media/cards.js';
import { checkRender } from '../media/check.js';
import { builtinBedJob, pickTrack } from '../media/music.js';
import { planRender, runRenderPlan } from '../media/render.js';
import { buildThumbnailJob, thumbnailSize, writeHeadline } from '../media/thumbnail.js';
import { type Timeline, sceneTimeline } from '../media/timeline.js';
import { cardWords, previewTexts } from '../providers/text/preview-texts.js';
import { expectRender } from '../media/verify.js';
import { storeAsset } from '../storage/assets.js';
import { keys } from '../storage/types.js';
import type { Scene, Story } from '../types.js';
import { listCredits } from '../db/credits.js';
import { endCardCredit } from './description/credits.js';
import type { StageContext, Stage } from './types.js';

/** The music track for this story, or null; the built-in bed is generated once and cached. */
async function musicFor(story: Story, ctx: StageContext): Promise<string | null> {
  const music = ctx.config.video.music;
  if (music === 'none') return null;
  if (typeof music === 'object') return pickTrack(music.folder, story.id);
  const cached = path.join(ctx.config.dataDir, 'cache', 'music-bed-v1.wav');
  if (!fs.existsSync(cached)) {
    await fs.promises.mkdir(path.dirname(cached), { recursive: true });
    const tmp = `${cached}.${process.pid}.wav`;
    await ctx.media.run(builtinBedJob(tmp), { signal: ctx.signal });
    await fs.promises.rename(tmp, cached);
  }
  return cached;
}

/** What the end card must say is a placeholder in this video, if anything. */
function previewNote(story: Story, ctx: StageContext, scenes: Scene[]): string | null {
  const placeholderScript = story.script_source?.provider === 'preview';
  const drawnOffline = scenes.some((s) => (s.image_provider ?? ctx.providers.images.at(-1)?.name) === 'preview');
  const placeholderMedia = drawnOffline || ctx.providers.speech.name === 'espeak';
  if (placeholderScript) return previewTexts(story.language).previewScriptNote;
  if (placeholderMedia) return previewTexts(story.language).previewMediaNote;
  return null;
}

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
    if (haveVideo && haveThumbnail) {
      ctx.progress('video already rendered');
      return;
    }
    const { video } = ctx.config;
    const scenes = await listScenes(ctx.db, story.id);
    const timeline = sceneTimeline(scenes, video);
    const stills = await Promise.all(scenes.map((s) => ctx.storage.localPath(keys.scene(story.id, s.position, 'image.png'), ctx.signal)));
    const narrations = await Promise.all(scenes.map((s) => ctx.storage.localPath(keys.scene(story.id, s.position, 'narration.wav'), ctx.signal)));
    const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'la-render-'));
    try {
      if (!haveVideo) await renderVideo(story, ctx, scenes, stills, narrations, timeline, tmp);
      const headline = path.join(tmp, 'headline.png');
      const size = thumbnailSize(video);
      await writeHeadline(headline, story.metadata?.thumbnailHeadline ?? story.topic, story.language, size);
      const thumbnail = path.join(tmp, 'thumbnail.jpg');
      await ctx.media.run(buildThumbnailJob(stills[0], headline, size, thumbnail), { signal: ctx.signal });
      if (ctx.signal.aborted) return;
      await storeAsset(ctx, story.id, { kind: 'thumbnail', file: 'thumbnail.jpg', contentType: 'image/jpeg', source: { file: thumbnail } });
      ctx.progress(`rendered ${timeline.total.toFixed(1)}s`);
      // the stills and narrations were copied here for ffmpeg; remote storage keeps them
      await ctx.storage.dropLocalCopies(keys.story(story.id, 'scenes'));
    } finally {
      await fs.promises.rm(tmp, { recursive: true, force: true });
    }
  },
  async reset(story, ctx) {
    await deleteAssets(ctx.db, story.id, ['video', 'thumbnail']);
    await ctx.storage.removePrefix(keys.story(story.id, 'video.mp4'));
    await ctx.storage.removePrefix(keys.story(story.id, 'thumbnail.jpg'));
  },
};

/** Cards, soundtrack and the picture into video.mp4, checked, then stored as the `video` asset. */
async function renderVideo(story: Story, ctx: StageContext, scenes: Scene[], stills: string[], narrations: string[], timeline: Timeline, tmp: string): Promise<void> {
  const { video } = ctx.config;
  ctx.progress('title and end cards');
  const text = cardText(story.topic, previewNote(story, ctx, scenes), cardWords(story.language), endCardCredit(await listCredits(ctx.db, story.id)));
  const intro = path.join(tmp, 'intro.png');
  const outro = path.join(tmp, 'outro.png');
  await drawCard(text.intro, video.width, video.height, story.language, intro, { signal: ctx.signal });
  await drawCard(text.outro, video.width, video.height, story.language, outro, { signal: ctx.signal });

  const captions = video.subtitles === 'burn' ? await fs.promises.readFile(await ctx.storage.localPath(keys.story(story.id, 'captions.ass'), ctx.signal), 'utf8') : null;
  const out = path.join(tmp, 'video.mp4');
  const pictures = timeline.segments.map((seg) => (seg.kind === 'scene' ? stills[seg.index] : seg.kind === 'intro' ? intro : outro));
  const music = await musicFor(story, ctx);
  const plan = planRender({ pictures, timeline, ...video, seed: story.id, narrations, music, captions, workDir: tmp, output: out });
  let lastPct = -1;
  await runRenderPlan(plan, (job, opts) => ctx.media.run(job, opts), {
    signal: ctx.signal,
    onProgress: (seconds) => {
      // in 5% steps: enough to see it move, few enough for plain-line output
      const pct = Math.min(100, Math.floor((seconds / timeline.total) * 20) * 5);
      if (pct !== lastPct) ctx.progress(`${pct}% of ${timeline.total.toFixed(1)}s`);
      lastPct = pct;
    },
  });
  if (ctx.signal.aborted) return;
  ctx.progress('checking the render');
  const problems = await checkRender(ctx.media, out, expectRender(timeline, video), ctx.signal);
  if (ctx.signal.aborted) return;
  // a re-render gives the same file from the same inputs: retrying would not help
  if (problems.length) throw new PermanentError(`render check failed: ${problems.join('; ')}`);
  await storeAsset(ctx, story.id, { kind: 'video', file: 'video.mp4', contentType: 'video/mp4', source: { file: out } });
}
