import fs from 'node:fs';
import path from 'node:path';
import { mapLimit } from '../concurrency.js';
import { deleteCredits, listCredits, recordCredit } from '../db/credits.js';
import { listScenes, setSceneImage } from '../db/stories.js';
import { keys } from '../storage/types.js';
import { stageMeter } from '../costs.js';
import { PermanentError, errorMessage, isPermanent } from '../errors.js';
import type { Meter, StillOutcome, StillRequest } from '../providers/types.js';
import type { Scene, Story } from '../types.js';
import type { Stage, StageContext } from './types.js';
import { makeTempDir } from '../scratch.js';

/**
 * The configured image providers tried in order for one scene: the first that finds or draws a still
 * makes it. A scene none of them has a picture for fails with each one's reason.
 */
async function stillFor(req: StillRequest, ctx: StageContext, meter: Meter): Promise<{ provider: string; outcome: Exclude<StillOutcome, { kind: 'none' }> }> {
  const reasons: string[] = [];
  for (const p of ctx.providers.images) {
    const outcome = await p.drawStill(req, ctx.signal, meter);
    if (outcome.kind !== 'none') return { provider: p.name, outcome };
    ctx.log.info('no picture', { scene: req.position, provider: p.name, reason: outcome.reason });
    reasons.push(`${p.name}: ${outcome.reason}`);
  }
  throw new PermanentError(`scene ${req.position}: no picture (${reasons.join('; ')}); put a generator after it in providers.image (e.g. ['archive', 'gemini'])`);
}

/** Images: one still per scene; a scene that already has its still keeps it (and its credit). */
export const imagesStage: Stage = {
  type: 'generate_images',
  status: 'generating_images',
  title: 'Draw the stills',
  async run(story, ctx) {
    const scenes = await listScenes(ctx.db, story.id);
    const missing: Scene[] = [];
    for (const s of scenes) {
      if (!s.image_url || !(await ctx.storage.exists(keys.scene(story.id, s.position, 'image.png')))) missing.push(s);
    }
    for (const s of missing) await deleteCredits(ctx.db, story.id, s.position);
    // the pictures the kept stills use: the same picture is not used twice in a story
    const taken = new Set((await listCredits(ctx.db, story.id)).map((c) => c.page_url));
    let done = scenes.length - missing.length;
    ctx.progress(`${done}/${scenes.length} stills`);
    const meter = stageMeter(ctx, story, 'generate_images');
    const tmp = await makeTempDir('la-images-');
    // one scene's failure does not stop the others: their stills are kept for the retry
    const failures: { position: number; error: unknown }[] = [];
    try {
      await mapLimit(
        missing,
        ctx.config.sceneConcurrency,
        async (scene) => {
          const req = requestFor(story, scene, scenes.length, ctx, path.join(tmp, `${scene.position}.png`), taken);
          let made: Awaited<ReturnType<typeof stillFor>>;
          try {
            made = await stillFor(req, ctx, meter);
          } catch (error) {
            if (ctx.signal.aborted) throw error;
            ctx.log.warn('still failed', { scene: scene.position, error: errorMessage(error) });
            failures.push({ position: scene.position, error });
            return;
          }
          // a worker that lost the job writes nothing more
          if (ctx.signal.aborted) return;
          const stored = await ctx.storage.put(keys.scene(story.id, scene.position, 'image.png'), { file: req.out }, 'image/png', ctx.signal);
          const { outcome } = made;
          await ctx.db.transaction(async (tx) => {
            if (outcome.kind === 'found') await recordCredit(tx, story.id, scene.position, outcome.credit);
            await setSceneImage(tx, scene.id, stored.url, made.provider);
          });
          ctx.progress(`${++done}/${scenes.length} stills`);
        },
        ctx.signal,
      );
      const healable = failures.find((f) => !isPermanent(f.error));
      if (healable) throw healable.error;
      if (failures.length) {
        const list = failures.sort((a, b) => a.position - b.position).map((f) => errorMessage(f.error)).join('; ');
        throw new PermanentError(`${failures.length} of ${scenes.length} stills failed (the others are kept): ${list}`);
      }
    } finally {
      await fs.promises.rm(tmp, { recursive: true, force: true });
    }
  },
  async reset(story, ctx) {
    await deleteCredits(ctx.db, story.id);
    for (const s of await listScenes(ctx.db, story.id)) {
      await setSceneImage(ctx.db, s.id, null);
      await ctx.storage.removePrefix(keys.scene(story.id, s.position, 'image.png'));
    }
  },
};

function requestFor(story: Story, scene: Scene, total: number, ctx: StageContext, out: string, taken: Set<string>): StillRequest {
  const { width, height } = ctx.config.video;
  return {
    prompt: scene.image_prompt,
    caption: scene.title ?? `Scene ${scene.position}`,
    position: scene.position,
    total,
    topic: story.topic,
    language: story.language,
    width,
    height,
    out,
    narration: scene.text_content,
    searchTerms: scene.image_search,
    taken: (url) => taken.has(url),
    claim: (url) => !taken.has(url) && !!taken.add(url),
  };
}
