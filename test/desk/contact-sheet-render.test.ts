import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStoryDetail } from '../../src/db/stories.js';
import type { Db } from '../../src/db/types.js';
import { sceneTimeline } from '../../src/media/timeline.js';
import { buildReview } from '../../src/review/index.js';
import { printReview } from '../../src/review/print.js';
import { remakeContactSheet } from '../../src/review/remake-sheet.js';
import { frameTime, sheetLayout } from '../../src/review/sheet.js';
import { sheetScenes } from '../../src/review/contact-sheet.js';
import { buildStoryRun } from '../../src/run-story.js';
import { buildApp } from '../../src/server/app.js';
import { PIPELINE } from '../../src/stages/index.js';
import type { Services } from '../../src/stages/types.js';
import { keys } from '../../src/storage/types.js';
import { createStory } from '../../src/stories.js';
import { freshDb } from '../helpers/db.js';
import { testConfig, testServices } from '../helpers/services.js';

/** A real offline story rendered small: the render stage writes the sheet, the API serves it. */

function frameAt(video: string, t: number): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-ss', t.toFixed(3), '-i', video, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 16 << 20 });
}

describe('the contact sheet of a rendered story (PostgreSQL)', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let s: Services;
  let storyId: string;
  const headers = { authorization: 'Bearer k' };

  beforeAll(async () => {
    ({ db, cleanup } = await freshDb('postgres'));
    s = testServices(db, testConfig({ video: { width: 320, height: 180, fps: 25, profile: 'draft', preset: 'superfast', music: 'none' } }));
    const pipeline = PIPELINE.slice(0, PIPELINE.findIndex((x) => x.type === 'render_video') + 1);
    storyId = (await createStory(s, pipeline, { topic: 'The Phaistos Disc', language: 'en-US' })).id;
    await buildStoryRun(s, pipeline, storyId, { worker: 'sheet-test', stop: new AbortController().signal, renderer: 'silent' }).run();
  });
  afterAll(async () => cleanup());

  it('is written by the render stage: one tile a scene, each the frame a viewer sees in the middle of that scene', async () => {
    const story = (await getStoryDetail(db, storyId))!;
    const asset = story.assets.find((a) => a.kind === 'contact_sheet');
    expect(asset).toMatchObject({ content_type: 'image/png', storage_key: keys.story(storyId, 'contact-sheet.png') });
    const png = fs.readFileSync(await s.storage.localPath(asset!.storage_key));
    const layout = sheetLayout({ width: 320, height: 180 }, { width: 1280, height: 720 }, story.scenes.length);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([layout.width, layout.height]);
    expect(story.scenes.length).toBeGreaterThanOrEqual(6);
    const video = await s.storage.localPath(keys.story(storyId, 'video.mp4'));
    const scenes = sheetScenes(story.scenes, sceneTimeline(story.scenes, s.config.video));
    const diffs = layout.tiles.map((t, i) => {
      const frame = frameAt(video, frameTime(scenes[i]));
      let d = 0;
      for (let y = 0; y < 180; y++) for (let x = 0; x < 320; x++) for (let c = 0; c < 3; c++) d += Math.abs(data[((t.top + y) * info.width + t.left + x) * 3 + c] - frame[(y * 320 + x) * 3 + c]);
      return d / (320 * 180 * 3);
    });
    // each tile is its own scene's frame (a little off from rescaling), and not the next scene's
    for (const d of diffs) expect(d).toBeLessThan(6);
    const other = frameAt(video, frameTime(scenes[1]));
    let cross = 0;
    const t0 = layout.tiles[0];
    for (let y = 0; y < 180; y++) for (let x = 0; x < 320; x++) for (let c = 0; c < 3; c++) cross += Math.abs(data[((t0.top + y) * info.width + t0.left + x) * 3 + c] - other[(y * 320 + x) * 3 + c]);
    expect(cross / (320 * 180 * 3)).toBeGreaterThan(diffs[0] + 5);
  });

  it('is served by GET /stories/{id}/contact-sheet; a story without one is a 404 in the documented shape', async () => {
    const app = await buildApp(s, { keys: ['k'], rateLimit: { max: 5, windowSeconds: 60 } });
    try {
      const r = await app.inject({ method: 'GET', url: `/stories/${storyId.slice(0, 8)}/contact-sheet`, headers });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('image/png');
      expect(r.rawPayload.equals(fs.readFileSync(await s.storage.localPath(keys.story(storyId, 'contact-sheet.png'))))).toBe(true);
      const fresh = await createStory(s, PIPELINE, { topic: 'Not rendered yet' });
      const missing = await app.inject({ method: 'GET', url: `/stories/${fresh.id}/contact-sheet`, headers });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ error: { code: 'not_found', message: expect.stringMatching(/has no contact sheet yet: it is written when the video is rendered/) } });
      expect((await app.inject({ method: 'GET', url: '/stories/00000000-0000-4000-8000-000000000000/contact-sheet', headers })).json().error.code).toBe('not_found');
      expect((await app.inject({ method: 'GET', url: `/stories/${storyId}/contact-sheet` })).statusCode).toBe(401);
      const doc = (await app.inject({ method: 'GET', url: '/openapi.json', headers })).json();
      const get = doc.paths['/stories/{story_id}/contact-sheet'].get;
      expect(get.responses['200'].content['image/png'].schema).toMatchObject({ type: 'string', format: 'binary' });
      expect(get.responses['404'].content['application/json'].schema).toMatchObject({ type: 'object', required: ['error'] });
    } finally {
      await app.close();
    }
  });

  it('is made again for an existing story (review ID --sheet)', async () => {
    const key = keys.story(storyId, 'contact-sheet.png');
    await s.storage.removePrefix(key);
    await db.query("delete from assets where story_id = $1 and kind = 'contact_sheet'", [storyId]);
    const made = await remakeContactSheet(s, storyId);
    expect(made).toMatchObject({ story_id: storyId, key });
    const meta = await sharp(made.path).metadata();
    const story = (await getStoryDetail(db, storyId))!;
    expect([meta.width, meta.height]).toEqual([sheetLayout({ width: 320, height: 180 }, { width: 1280, height: 720 }, story.scenes.length).width, sheetLayout({ width: 320, height: 180 }, { width: 1280, height: 720 }, story.scenes.length).height]);
    expect(story.assets.some((a) => a.kind === 'contact_sheet')).toBe(true);
    const fresh = await createStory(s, PIPELINE, { topic: 'Still pending' });
    await expect(remakeContactSheet(s, fresh.id)).rejects.toThrow(/has no rendered video and thumbnail yet \(it is pending\)/);
  });

  it('is in the review, with the research and the repetition findings: a second story with the same script is named as a near copy', async () => {
    const first = await buildReview(s, storyId);
    expect(first.findings.sheet?.location).toBe((await getStoryDetail(db, storyId))!.assets.find((a) => a.kind === 'contact_sheet')!.url);
    expect(first.findings.research).toMatchObject({ origin: 'none', sources: [] });
    expect(first.findings.repetition).toEqual([]);
    const shown = printReview(first);
    expect(shown).toContain(`sheet     ${first.findings.sheet!.location}`);
    expect(shown).toMatch(/sources {3}none: the script was not researched/);
    expect(shown).toContain('repeats   none found among earlier stories');
    // the offline writer writes the same script for the same topic: a near copy of the first story
    const again = await createStory(s, PIPELINE, { topic: 'The Phaistos Disc', language: 'en-US' });
    await buildStoryRun(s, PIPELINE.slice(0, 1), again.id, { worker: 'sheet-test', stop: new AbortController().signal, renderer: 'silent' }).run();
    const second = await buildReview(s, again.id);
    expect(second.findings.sheet).toBeNull();
    expect(second.findings.repetition).toEqual([expect.objectContaining({ kind: 'script', story_id: storyId, similarity: 1 })]);
    expect(printReview(second)).toMatch(new RegExp(`repeats {3}the script shares 100% of its \\d-word phrases with story ${storyId.slice(0, 8)}`));
  });
});
