import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStory, saveScript, setSceneImage } from '../../src/db/stories.js';
import type { Db } from '../../src/db/types.js';
import { parseScriptMarkdown } from '../../src/providers/text/markdown.js';
import { PICTURE_DISTANCE, SCRIPT_SIMILARITY, checkRepetition } from '../../src/review/repetition.js';
import { buildApp } from '../../src/server/app.js';
import type { Services } from '../../src/stages/types.js';
import { storeAsset } from '../../src/storage/assets.js';
import { keys } from '../../src/storage/types.js';
import { BACKENDS, freshDb } from '../helpers/db.js';
import { testServices } from '../helpers/services.js';

/** The repetition check on stories with real scripts and pictures: near copies warn, different stories do not. */

const root = path.resolve(import.meta.dirname, '../..');
const ANTIKYTHERA = parseScriptMarkdown(fs.readFileSync(path.join(root, 'examples/antikythera-mechanism.md'), 'utf8'), 'a.md').draft;
const PHAISTOS =
  'In 1908 the Italian archaeologist Luigi Pernier dug in the Minoan palace of Phaistos on Crete. In a small room he found a disc of ' +
  'fired clay, sixteen centimetres across, with signs pressed into both sides in a spiral. There are forty-five different signs: ' +
  'heads with plumes, fish, ships, tools. Nobody has read them. Some think it is a prayer, some a calendar, a few that it is a forgery. ' +
  'Without a second text in the same script, every reading remains a guess.';

/** Pictures that differ in layout, drawn from SVG (deterministic). */
const SVGS = [
  '<rect width="640" height="360" fill="#e8dcc0"/><circle cx="160" cy="180" r="130" fill="#302010"/>',
  '<rect width="640" height="360" fill="#fff"/>' + Array.from({ length: 6 }, (_, i) => `<rect y="${i * 60}" width="640" height="30" fill="#222"/>`).join(''),
  '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#fff"/></linearGradient></defs><rect width="640" height="360" fill="url(#g)"/>',
  '<rect width="640" height="360" fill="#fff"/>' + Array.from({ length: 16 }, (_, i) => ((i + Math.floor(i / 4)) % 2 ? `<rect x="${(i % 4) * 160}" y="${Math.floor(i / 4) * 90}" width="160" height="90" fill="#111"/>` : '')).join(''),
  '<rect width="640" height="360" fill="#1a2a3a"/><polygon points="640,0 640,360 300,360" fill="#f0e0a0"/>',
  '<rect width="640" height="360" fill="#333"/><rect x="250" y="40" width="140" height="280" fill="#ddd"/>',
  '<rect width="640" height="360" fill="#ddd"/><ellipse cx="480" cy="90" rx="150" ry="60" fill="#111"/>',
  '<rect width="640" height="360" fill="#eee"/><rect x="0" y="250" width="640" height="110" fill="#222"/><rect x="60" y="0" width="40" height="360" fill="#555"/>',
];
const picture = (i: number) => sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360">${SVGS[i]}</svg>`)).png().toBuffer();

async function makeStory(s: Services, topic: string, script: string, stills: Buffer[], thumbnail: Buffer): Promise<string> {
  const story = await insertStory(s.db, topic, 'en-US');
  const sentences = script.split(/(?<=\.)\s+/);
  const per = Math.ceil(sentences.length / stills.length);
  const scenes = stills.map((_, i) => ({ text_content: sentences.slice(i * per, (i + 1) * per).join(' ') || '.', image_prompt: 'x' }));
  await saveScript(s.db, story.id, script, { provider: 'operator' }, scenes);
  const rows = await s.db.query<{ id: string; position: number }>('select id, position from scenes where story_id = $1 order by position', [story.id]);
  for (const [i, png] of stills.entries()) {
    const stored = await s.storage.put(keys.scene(story.id, i + 1, 'image.png'), png, 'image/png');
    await setSceneImage(s.db, rows[i].id, stored.url);
  }
  await storeAsset(s, story.id, { kind: 'thumbnail', file: 'thumbnail.jpg', contentType: 'image/jpeg', source: await sharp(thumbnail).resize(1280, 720).jpeg().toBuffer() });
  return story.id;
}

describe.each(BACKENDS)('the repetition check on %s', (kind) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let s: Services;
  const ids: Record<string, string> = {};
  const full = ANTIKYTHERA.scenes.map((x) => x.text_content).join(' ');

  beforeAll(async () => {
    ({ db, cleanup } = await freshDb(kind));
    s = testServices(db);
    ids.a = await makeStory(s, 'The Antikythera Mechanism', full, [await picture(0), await picture(1)], await picture(2));
    ids.b = await makeStory(s, 'The Phaistos Disc', PHAISTOS, [await picture(3), await picture(4)], await picture(5));
    // a near copy: every tenth word changed, and A's second still re-encoded as a JPEG at another size
    const words = full.split(' ').map((w, i) => (i % 10 === 9 ? 'indeed' : w)).join(' ');
    const reused = await sharp(await sharp(await picture(1)).jpeg({ quality: 45 }).toBuffer()).resize(1280, 720).png().toBuffer();
    ids.c = await makeStory(s, 'The Antikythera Mechanism again', words, [reused, await picture(6)], await picture(7));
  });
  afterAll(async () => cleanup());

  it('does not warn on different stories, nor on the first story', async () => {
    const a = await checkRepetition(s, ids.a);
    expect(a).toMatchObject({ story_id: ids.a, warnings: [], compared: { stories: 0, scripts: 0, pictures: 0 } });
    const b = await checkRepetition(s, ids.b);
    expect(b.warnings).toEqual([]);
    expect(b.compared).toEqual({ stories: 1, scripts: 1, pictures: 3 });
    expect(b.thresholds).toEqual({ script_similarity: SCRIPT_SIMILARITY, shingle_words: 3, picture_distance: PICTURE_DISTANCE });
  });

  it('warns on a near-copy script and on a re-used still, re-encoded and resized, naming the earlier story', async () => {
    const c = await checkRepetition(s, ids.c.slice(0, 8));
    expect(c.compared).toEqual({ stories: 2, scripts: 2, pictures: 6 });
    const script = c.warnings.filter((w) => w.kind === 'script');
    expect(script).toEqual([{ kind: 'script', story_id: ids.a, topic: 'The Antikythera Mechanism', similarity: expect.any(Number), message: expect.stringMatching(/^the script shares \d+% of its 3-word phrases with story .{8} \("The Antikythera Mechanism"\)$/) }]);
    expect((script[0] as { similarity: number }).similarity).toBeGreaterThanOrEqual(SCRIPT_SIMILARITY);
    const pictures = c.warnings.filter((w) => w.kind === 'picture');
    expect(pictures.map((w) => ({ ...w, distance: undefined, message: undefined }))).toEqual([
      { kind: 'picture', story_id: ids.a, topic: 'The Antikythera Mechanism', picture: { kind: 'still', scene: 1 }, other: { kind: 'still', scene: 2 }, distance: undefined, message: undefined },
    ]);
    expect((pictures[0] as { distance: number }).distance).toBeLessThanOrEqual(PICTURE_DISTANCE);
    expect(pictures[0].message).toMatch(/^the still of scene 1 is a near copy of the still of scene 2 of story .{8} \("The Antikythera Mechanism"\): \d+ of 128 bits differ$/);
  });

  it('keeps the hashes: an old picture is not decoded again, a picture made again is hashed again', async () => {
    const [{ n }] = await db.query<{ n: number }>('select count(*)::int as n from image_hashes');
    expect(n).toBe(9);
    // the stored file of A's still is gone: the stored hash still finds the copy
    await s.storage.removePrefix(keys.scene(ids.a, 2, 'image.png'));
    expect((await checkRepetition(s, ids.c)).warnings.filter((w) => w.kind === 'picture')).toHaveLength(1);
    // A's still 2 is drawn again (a retry): its new picture is hashed, and the copy no longer matches
    const [scene] = await db.query<{ id: string }>('select id from scenes where story_id = $1 and position = 2', [ids.a]);
    const stored = await s.storage.put(keys.scene(ids.a, 2, 'image.png'), await picture(4), 'image/png');
    await setSceneImage(db, scene.id, stored.url);
    const after = await checkRepetition(s, ids.c);
    expect(after.warnings.filter((w) => w.kind === 'picture')).toEqual([]);
    expect(after.warnings.filter((w) => w.kind === 'script')).toHaveLength(1);
  });

  it('is served by GET /stories/{id}/repetition', async () => {
    const app = await buildApp(s, { keys: ['k'], rateLimit: { max: 5, windowSeconds: 60 } });
    try {
      const r = await app.inject({ method: 'GET', url: `/stories/${ids.c}/repetition`, headers: { authorization: 'Bearer k' } });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual(JSON.parse(JSON.stringify(await checkRepetition(s, ids.c))));
      const missing = await app.inject({ method: 'GET', url: '/stories/00000000-0000-4000-8000-000000000000/repetition', headers: { authorization: 'Bearer k' } });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe('not_found');
      const doc = (await app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: 'Bearer k' } })).json();
      expect(doc.paths['/stories/{story_id}/repetition'].get.responses['200'].content['application/json'].schema.properties.warnings.type).toBe('array');
    } finally {
      await app.close();
    }
  });
});
