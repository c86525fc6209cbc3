import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCredits } from '../../src/db/credits.js';
import { getStory, listScenes } from '../../src/db/stories.js';
import type { Db } from '../../src/db/types.js';
import { PermanentError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { buildMedia } from '../../src/media/index.js';
import { sceneTimeline } from '../../src/media/timeline.js';
import { buildProviders } from '../../src/providers/index.js';
import { videoResource } from '../../src/providers/publish/youtube/index.js';
import { buildReview } from '../../src/review/index.js';
import { printReview } from '../../src/review/print.js';
import { buildStoryRun } from '../../src/run-story.js';
import { endCardCredit } from '../../src/stages/description/credits.js';
import { imagesStage } from '../../src/stages/images.js';
import { PIPELINE } from '../../src/stages/index.js';
import type { Services, StageContext } from '../../src/stages/types.js';
import { buildStorage } from '../../src/storage/index.js';
import { createStory } from '../../src/stories.js';
import { startArchiveFakes } from '../fakes/archives.js';
import { FAKE_GEMINI_KEY, type GeminiRequest, geminiWriterAnswer, jsonReply, safetyReply, startGeminiFake } from '../fakes/gemini.js';
import { freshDb } from '../helpers/db.js';
import { tempDir, testConfig } from '../helpers/services.js';

/**
 * A story with `providers.image: ['archive', 'gemini']`: the archives have pictures for two scenes
 * (an engraving on Commons, a portrait photograph at the Library of Congress), none that may be used
 * for the third (its only match is CC BY-NC-SA), and the fourth's only match is already used; Gemini
 * draws those two. Then: credits, description, end card, credits.json, disclosure, a retry that asks
 * the archives nothing, the ranking call on the wire, and the frames.
 */

const W = 640;
const H = 360;
/** Frames are kept here to look at. */
const FRAMES = process.env.LA_ARCHIVE_FRAMES ?? path.join(tempDir('la-archive-frames-'));

const SCENES = [
  { title: 'The Library', text_content: 'The Library of Alexandria stood behind a temple front of columns.', image_prompt: 'the library front. Style: engraving', image_search: 'Library of Alexandria engraving' },
  { title: 'The Librarian', text_content: 'Its librarians were scholars, and one of them sat for this portrait.', image_prompt: 'a scholar. Style: photograph', image_search: 'portrait librarian Alexandria' },
  { title: 'The Scrolls', text_content: 'Scrolls filled its shelves, fragments of which survive.', image_prompt: 'a scroll fragment on a table. Style: engraving', image_search: 'Alexandria scroll fragment' },
  { title: 'The Temple', text_content: 'The temple front was rebuilt more than once.', image_prompt: 'a temple front. Style: engraving', image_search: 'Alexandria temple' },
];

function gray(file: string, t: number): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-ss', t.toFixed(3), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 16 << 20 });
}

function meanOf(g: Buffer, x0: number, x1: number): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < H; y++) for (let x = Math.round(x0 * W); x < Math.round(x1 * W); x++) (sum += g[y * W + x]), n++;
  return sum / n;
}

describe('a story with archival pictures and generated ones', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let dir: string;
  let fakes: Awaited<ReturnType<typeof startArchiveFakes>>;
  let gemini: Awaited<ReturnType<typeof startGeminiFake>>;
  let refuseImages = true;
  const choices: GeminiRequest[] = [];

  beforeAll(async () => {
    ({ db, cleanup } = await freshDb('pglite'));
    dir = tempDir('la-archive-story-');
    fakes = await startArchiveFakes(dir);
    const writer = geminiWriterAnswer();
    gemini = await startGeminiFake((req, n) => {
      if (req.schema?.properties?.choice) {
        choices.push(req);
        return jsonReply({ choice: 1, reason: 'The first picture shows what the narration describes.' });
      }
      if (req.image && refuseImages) return safetyReply();
      return writer(req, n);
    });
  });
  afterAll(async () => {
    await fakes?.close();
    await gemini?.close();
    await cleanup?.();
  });

  it('uses archive pictures where they fit and may be used, generated ones elsewhere, and credits each', async () => {
    const config = testConfig(
      {
        providers: { text: 'gemini', image: ['archive', 'gemini'], speech: 'espeak', publish: 'folder' },
        archives: fakes.config,
        google: { endpoints: { gemini: gemini.url }, retry: { attempts: 1, baseSeconds: 0.01, maxSeconds: 1 } },
        video: { width: W, height: H, profile: 'draft', preset: 'superfast', music: 'none' },
        sceneConcurrency: 1,
        queue: { pollSeconds: 0.05 },
      },
      dir,
    );
    const storage = buildStorage(config);
    const services: Services = { config, db, storage, providers: buildProviders(config, { GEMINI_API_KEY: FAKE_GEMINI_KEY }, storage), media: buildMedia(), logger: silentLogger };
    const created = await createStory(services, PIPELINE, { topic: 'The Library of Alexandria', language: 'en-US' }, { script: 'x', scenes: SCENES, source: { provider: 'operator' } });
    const ctx: StageContext = { ...services, signal: new AbortController().signal, log: silentLogger, progress: () => {} };

    // 1. Gemini refuses every image: the archive scenes are kept, the two others fail
    const err = await imagesStage.run((await getStory(db, created.id))!, ctx).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/^2 of 4 stills failed/);
    expect((await listScenes(db, created.id)).map((s) => s.image_provider)).toEqual(['archive', 'archive', null, null]);

    // the ranking call: one per scene with candidates, thumbnails and narration in the request
    expect(choices).toHaveLength(2);
    const first = choices[0];
    expect(first.model).toBe(config.google.models.text);
    const parts = first.body.contents[0].parts;
    expect(parts[0].text).toContain(SCENES[0].text_content);
    expect(parts[0].text).toContain('Picture 1 (commons): Library of Alexandria temple engraving');
    const pictures = parts.filter((p: any) => p.inlineData);
    expect(pictures).toHaveLength(1);
    expect(pictures[0].inlineData.mimeType).toBe('image/jpeg');
    expect(Buffer.from(pictures[0].inlineData.data, 'base64').equals(fakes.pics.engraving)).toBe(true);
    expect(first.body.generationConfig.responseMimeType).toBe('application/json');
    expect(first.body.generationConfig.responseJsonSchema.properties.choice).toMatchObject({ type: 'integer', minimum: 0, maximum: 1 });
    expect(choices[1].body.contents[0].parts[0].text).toContain('Picture 1 (loc): Portrait of a scholar of Alexandria, librarian');
    // the Library's small rendition goes to the model, not the full picture
    const locThumb = choices[1].body.contents[0].parts.find((p: any) => p.inlineData).inlineData;
    expect(Buffer.from(locThumb.data, 'base64').equals(fakes.pics.thumb)).toBe(true);

    // 2. the retry: Gemini draws the two scenes; the archives are asked nothing again, nothing is recorded twice
    refuseImages = false;
    const asked = { commons: fakes.commons.requests.length, loc: fakes.loc.requests.length };
    await imagesStage.run((await getStory(db, created.id))!, ctx);
    expect({ commons: fakes.commons.requests.length, loc: fakes.loc.requests.length }).toEqual(asked);
    const scenes = await listScenes(db, created.id);
    expect(scenes.map((s) => s.image_provider)).toEqual(['archive', 'archive', 'gemini', 'gemini']);
    const credits = await listCredits(db, created.id);
    expect(credits.map((c) => [c.scene, c.source, c.page_url, c.licence])).toEqual([
      [1, 'commons', 'https://commons.wikimedia.org/wiki/File:Library_of_Alexandria_temple_engraving.jpg', 'Public domain'],
      [2, 'loc', 'https://www.loc.gov/item/2004671234/', 'Public domain (no known restrictions on publication, per the Library of Congress)'],
    ]);
    expect(credits[1]).toMatchObject({ author: 'Bonfils, Félix', modification: 'shown whole over a blurred, darkened copy of itself; slow zoom and pan', file_url: expect.stringMatching(/2004671234v\.jpg$/) });
    expect(credits[0].retrieved_at).toBeInstanceOf(Date);
    // the refused record's file was never fetched, and the engraving serves one scene only
    expect(fakes.commons.fileGets().some((f) => f.includes('scroll'))).toBe(false);
    expect(fakes.loc.fileGets().some((f) => f.includes('2004679999'))).toBe(false);

    // 3. the rest of the pipeline: audio, subtitles, metadata, render, the folder publisher
    await buildStoryRun(services, PIPELINE, created.id, { worker: 'archive-test', stop: new AbortController().signal, renderer: 'silent' }).run();
    const story = (await getStory(db, created.id))!;
    expect(story.status).toBe('published');
    const description = story.metadata!.description;
    expect(description).toContain('\n\nPicture credits (fitted to the frame, with a slow zoom and pan):\n');
    expect(description).toContain('• Scene 1: "Library of Alexandria temple engraving" by O. Von Corven. Public domain. Wikimedia Commons: https://commons.wikimedia.org/wiki/File:Library_of_Alexandria_temple_engraving.jpg');
    expect(description).toContain('• Scene 2: "Portrait of a scholar of Alexandria, librarian" by Bonfils, Félix.');
    expect(description).not.toContain('scroll_fragment');
    expect(Buffer.byteLength(description)).toBeLessThanOrEqual(5000);
    expect(endCardCredit(credits)).toBe('Archival pictures: Wikimedia Commons (1), Library of Congress (1). Full credits in the description.');

    const published = path.join(config.publishDir, created.id);
    const ledger = JSON.parse(fs.readFileSync(path.join(published, 'credits.json'), 'utf8'));
    expect(ledger.stills).toEqual({ archival: 2, generated: 2 });
    expect(ledger.pictures.map((p: any) => p.page_url)).toEqual(credits.map((c) => c.page_url));
    // two stills are generated: the YouTube upload would disclose synthetic media
    expect(videoResource({ story, metadata: story.metadata!, stills: ledger.stills }, config.youtube, new Date()).status.containsSyntheticMedia).toBe(true);
    // review shows the same: where each still came from, and the archival ones' credits
    const review = await buildReview(services, created.id);
    expect(review.findings.pictures).toMatchObject({ archival: 2, generated: 2 });
    expect(review.findings.pictures.credits.map((c) => c.page_url)).toEqual(credits.map((c) => c.page_url));
    expect(printReview(review)).toContain('pictures  2 archival, 2 generated\n  scene 1: Library of Alexandria temple engraving, O. Von Corven (Public domain, commons)');

    // 4. the frames: the engraving and the portrait in their scenes, the end card with its credit line
    const video = path.join(published, 'video.mp4');
    const timeline = sceneTimeline(await listScenes(db, created.id), config.video);
    const sceneSegs = timeline.segments.filter((s) => s.kind === 'scene');
    fs.mkdirSync(FRAMES, { recursive: true });
    const shots = { engraving: (sceneSegs[0].start + sceneSegs[0].end) / 2, portrait: (sceneSegs[1].start + sceneSegs[1].end) / 2, 'end-card': timeline.total - 0.3 };
    for (const [name, t] of Object.entries(shots)) execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', t.toFixed(3), '-i', video, '-frames:v', '1', path.join(FRAMES, `${name}.png`)]);
    // the portrait is shown whole: its dark blurred fill at the sides, the lit face in the middle
    const portrait = gray(video, shots.portrait);
    expect(meanOf(portrait, 0.45, 0.55)).toBeGreaterThan(meanOf(portrait, 0, 0.08) + 40);
    // the engraving's pale paper fills most of the frame, its dark strokes cross it
    const engraving = gray(video, shots.engraving);
    expect(meanOf(engraving, 0.3, 0.7)).toBeGreaterThan(120);
  });
});
