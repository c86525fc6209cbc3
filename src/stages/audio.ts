import fs from 'node:fs';
import path from 'node:path';
import { mapLimit } from '../concurrency.js';
import { listScenes, setSceneAudio } from '../db/stories.js';
import { keys } from '../storage/types.js';
import { splitSentences } from '../text.js';
import { stageMeter } from '../costs.js';
import type { Stage } from './types.js';
import { makeTempDir } from '../scratch.js';

/** Audio: one narration clip per scene, with its duration and per-sentence timings. */
export const audioStage: Stage = {
  type: 'generate_audio',
  status: 'generating_audio',
  title: 'Record the narration',
  // the narration reads the script only: it is recorded while the stills are drawn
  needs: ['generate_script'],
  async run(story, ctx) {
    const scenes = await listScenes(ctx.db, story.id);
    const missing = [];
    for (const s of scenes) {
      if (!s.audio_url || s.duration_seconds == null || !(await ctx.storage.exists(keys.scene(story.id, s.position, 'narration.wav')))) missing.push(s);
    }
    let done = scenes.length - missing.length;
    ctx.progress(`${done}/${scenes.length} narrations`);
    const meter = stageMeter(ctx, story, 'generate_audio');
    const tmp = await makeTempDir('la-audio-');
    try {
      await mapLimit(
        missing,
        ctx.config.sceneConcurrency,
        async (scene) => {
          const out = path.join(tmp, `${scene.position}.wav`);
          const sentences = splitSentences(scene.text_content, story.language);
          const narration = await ctx.providers.speech.speak({ sentences, language: story.language, out, scene: scene.position }, ctx.signal, meter);
          // a worker that lost the job writes nothing more
          if (ctx.signal.aborted) return;
          const stored = await ctx.storage.put(keys.scene(story.id, scene.position, 'narration.wav'), { file: out }, 'audio/wav', ctx.signal);
          await setSceneAudio(ctx.db, scene.id, { url: stored.url, duration: narration.duration, timings: narration.timings });
          ctx.log.debug('narration recorded', { scene: scene.position, seconds: narration.duration });
          ctx.progress(`${++done}/${scenes.length} narrations`);
        },
        ctx.signal,
      );
    } finally {
      await fs.promises.rm(tmp, { recursive: true, force: true });
    }
  },
  async reset(story, ctx) {
    for (const s of await listScenes(ctx.db, story.id)) {
      await setSceneAudio(ctx.db, s.id, null);
      await ctx.storage.removePrefix(keys.scene(story.id, s.position, 'narration.wav'));
    }
  },
};
