import fs from 'node:fs';
import path from 'node:path';
import { mapLimit } from '../concurrency.js';
import { listScenes, setSceneImage } from '../db/stories.js';
import { keys } from '../storage/types.js';
import { stageMeter } from '../costs.js';
import { PermanentError, errorMessage, isPermanent } from '../errors.js';
import type { Stage } from './types.js';
import { makeTempDir } from '../scratch.js';

/** Images: one still per scene; a scene that already has its still keeps it. */
export const imagesStage: Stage = {
  type: 'generate_images',
  status: 'generating_images',
  title: 'Draw the stills',
  async run(story, ctx) {
    const scenes = await listScenes(ctx.db, story.id);
    const missing = [];
    for (const s of scenes) {
      if (!s.image_url || !(await ctx.storage.exists(keys.scene(story.id, s.position, 'image.png')))) missing.push(s);
    }
    let done = scenes.length - missing.length;
    ctx.progress(`${done}/${scenes.length} stills`);
    const { width, height } = ctx.config.video;
    const meter = stageMeter(ctx, story, 'generate_images');
    const tmp = await makeTempDir('la-images-');
    // one scene's failure does not stop the others: their stills are kept for the retry
    const failures: { position: number; error: unknown }[] = [];
    try {
      await mapLimit(
        missing,
        ctx.config.sceneConcurrency,
        async (scene) => {
          const out = path.join(tmp, `${scene.position}.png`);
          try {
            await ctx.providers.image.drawStill(
              { prompt: scene.image_prompt, caption: scene.title ?? `Scene ${scene.position}`, position: scene.position, total: scenes.length, topic: story.topic, language: story.language, width, height, out },
              ctx.signal,
              meter,
            );
          } catch (error) {
            if (ctx.signal.aborted) throw error;
            ctx.log.warn('still failed', { scene: scene.position, error: errorMessage(error) });
            failures.push({ position: scene.position, error });
            return;
          }
          // a worker that lost the job writes nothing more
          if (ctx.signal.aborted) return;
          const stored = await ctx.storage.put(keys.scene(story.id, scene.position, 'image.png'), { file: out }, 'image/png', ctx.signal);
          await setSceneImage(ctx.db, scene.id, stored.url);
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
    for (const s of await listScenes(ctx.db, story.id)) {
      await setSceneImage(ctx.db, s.id, null);
      await ctx.storage.removePrefix(keys.scene(story.id, s.position, 'image.png'));
    }
  },
};
