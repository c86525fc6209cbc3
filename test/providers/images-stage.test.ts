import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCosts } from '../../src/db/costs.js';
import { getStory, listScenes } from '../../src/db/stories.js';
import type { Db } from '../../src/db/types.js';
import { PermanentError } from '../../src/errors.js';
import { buildProviders } from '../../src/providers/index.js';
import { imagesStage } from '../../src/stages/images.js';
import type { StageContext } from '../../src/stages/types.js';
import { keys } from '../../src/storage/types.js';
import { createStory } from '../../src/stories.js';
import { PIPELINE } from '../../src/stages/index.js';
import { silentLogger } from '../../src/log.js';
import { freshDb } from '../helpers/db.js';
import { testConfig, testServices } from '../helpers/services.js';
import { FAKE_GEMINI_KEY, IMAGE_USAGE, geminiWriterAnswer, safetyReply, startGeminiFake } from '../fakes/gemini.js';

/** The images stage with the Gemini illustrator: a scene refused twice fails alone; the retry redraws only it. */

describe('images stage with Gemini', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ db, cleanup } = await freshDb('pglite')));
  afterAll(() => cleanup());

  it('keeps the other scenes’ stills, fails the story naming the refused scene, and a retry draws only that scene', async () => {
    let refuse = true;
    const fake = await startGeminiFake((req, n) => (refuse && req.image && /the battlefield|museum hall/.test(req.prompt) ? safetyReply() : geminiWriterAnswer()(req, n)));
    try {
      const config = testConfig({ providers: { image: 'gemini' }, google: { endpoints: { gemini: fake.url } }, video: { width: 320, height: 180 } });
      const services = { ...testServices(db, config), providers: buildProviders(config, { GEMINI_API_KEY: FAKE_GEMINI_KEY }) };
      const scenes = ['a quiet harbour', 'the battlefield after the siege', 'a library reading room'].map((image_prompt, i) => ({ title: `Scene ${i + 1}`, text_content: 'Words.', image_prompt }));
      const created = await createStory(services, PIPELINE, { topic: 'Sieges', language: 'en-US' }, { script: 'x', scenes, source: { provider: 'operator' } });
      const story = (await getStory(db, created.id))!;
      const ctx: StageContext = { ...services, signal: new AbortController().signal, log: silentLogger, progress: () => {} };

      const err = await imagesStage.run(story, ctx).catch((e) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect(err.message).toMatch(/^1 of 3 stills failed \(the others are kept\): scene 2: gemini-3.1-flash-image refused the image prompt \(stopped: IMAGE_SAFETY/);
      const after = await listScenes(db, story.id);
      expect(after.map((s) => !!s.image_url)).toEqual([true, false, true]);
      expect(await services.storage.exists(keys.scene(story.id, 1, 'image.png'))).toBe(true);
      // stills 1 and 3, two refusals and one rewrite of scene 2: each recorded once
      const ops = (await listCosts(db, story.id)).map((c) => `${c.operation}:${c.scene}`).sort();
      expect(ops).toEqual(['safety rewrite:2', 'still:1', 'still:2', 'still:2', 'still:3']);
      // a drawn still is billed per image (and its 60 prompt tokens); a refused one only for its prompt
      const stills = (await listCosts(db, story.id)).filter((c) => c.operation === 'still');
      for (const c of stills) {
        expect(c.images).toBe(c.scene === 2 ? 0 : 1);
        expect(c.usd).toBeCloseTo((c.scene === 2 ? 0 : 0.067 + (IMAGE_USAGE.thoughts * 3) / 1e6) + (60 * 0.5) / 1e6, 9);
      }

      refuse = false;
      const before = fake.calls.length;
      await imagesStage.run(story, ctx);
      const again = fake.calls.slice(before);
      expect(again).toHaveLength(1);
      expect(again[0].prompt).toContain('the battlefield after the siege');
      expect((await listScenes(db, story.id)).every((s) => s.image_url)).toBe(true);
    } finally {
      await fake.close();
    }
  });
});
