import fs from 'node:fs';
import path from 'node:path';
import { listCredits } from '../db/credits.js';
import { listScenes } from '../db/stories.js';
import { PermanentError } from '../errors.js';
import { cardText, drawCard } from '../media/cards.js';
import { checkRender } from '../media/check.js';
import { builtinBedJob, pickTrack } from '../media/music.js';
import type { RenderSpec } from '../media/render.js';
import { type Timeline, sceneTimeline } from '../media/timeline.js';
import { expectRender } from '../media/verify.js';
import { cardWords, previewTexts } from '../providers/text/preview-texts.js';
import { storeAsset } from '../storage/assets.js';
import { keys } from '../storage/types.js';
import type { Scene, Story } from '../types.js';
import { endCardCredit } from './description/credits.js';
import type { StageContext } from './types.js';

/**
 * What a story's render is planned from, the same on every worker: the timeline, the captions, and the
 * pictures as files in the work folder (`picture-<i>.png`, one per timeline segment) that are filled in
 * only where they are needed (a worker rendering one part draws and downloads only that part's pictures).
 */
export interface RenderInputs {
  spec: RenderSpec;
  timeline: Timeline;
  scenes: Scene[];
}

/**
 * The render's spec. With `sound`, the narrations are downloaded and the music found; without (a worker
 * rendering one part of the picture), they are names that are never read.
 */
export async function renderInputs(story: Story, ctx: StageContext, tmp: string, opts: { sound: boolean; processes?: number }): Promise<RenderInputs> {
  const { video } = ctx.config;
  const scenes = await listScenes(ctx.db, story.id);
  const timeline = sceneTimeline(scenes, video);
  const captions = video.subtitles === 'burn' ? await fs.promises.readFile(await ctx.storage.localPath(keys.story(story.id, 'captions.ass'), ctx.signal), 'utf8') : null;
  const narrations = opts.sound
    ? await Promise.all(scenes.map((s) => ctx.storage.localPath(keys.scene(story.id, s.position, 'narration.wav'), ctx.signal)))
    : scenes.map((s) => path.join(tmp, `narration-${s.position}.wav`));
  const music = opts.sound ? await musicFor(story, ctx) : null;
  const pictures = timeline.segments.map((_, i) => path.join(tmp, `picture-${i}.png`));
  const processes = opts.processes ?? video.processes;
  const spec: RenderSpec = { ...video, processes, pictures, timeline, seed: story.id, narrations, music, captions, workDir: tmp, output: path.join(tmp, 'video.mp4') };
  return { spec, timeline, scenes };
}

/** Fills in the pictures of the given timeline segments: title and end cards drawn, stills fetched from storage. */
export async function drawPictures(story: Story, ctx: StageContext, inputs: RenderInputs, segments: Iterable<number>): Promise<void> {
  const { video } = ctx.config;
  const text = cardText(story.topic, previewNote(story, ctx, inputs.scenes), cardWords(story.language), endCardCredit(await listCredits(ctx.db, story.id)));
  for (const i of segments) {
    const seg = inputs.timeline.segments[i];
    const out = inputs.spec.pictures[i];
    if (seg.kind === 'scene') {
      const still = await ctx.storage.localPath(keys.scene(story.id, inputs.scenes[seg.index].position, 'image.png'), ctx.signal);
      await fs.promises.symlink(still, out);
    } else {
      if (seg.kind === 'intro') ctx.progress('title card');
      await drawCard(seg.kind === 'intro' ? text.intro : text.outro, video.width, video.height, story.language, out, { signal: ctx.signal });
    }
  }
}

/** The render check, then the video stored as the `video` asset. */
export async function checkAndStore(story: Story, ctx: StageContext, inputs: RenderInputs): Promise<void> {
  ctx.progress('checking the render');
  const out = inputs.spec.output;
  const problems = await checkRender(ctx.media, out, expectRender(inputs.timeline, ctx.config.video), ctx.signal);
  if (ctx.signal.aborted) return;
  // a re-render gives the same file from the same inputs: retrying would not help
  if (problems.length) throw new PermanentError(`render check failed: ${problems.join('; ')}`);
  await storeAsset(ctx, story.id, { kind: 'video', file: 'video.mp4', contentType: 'video/mp4', source: { file: out } });
}

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
