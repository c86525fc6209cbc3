import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detailView } from '../../src/commands/status.js';
import type { UserConfig } from '../../src/config.js';
import { listCosts } from '../../src/db/costs.js';
import { getResearch } from '../../src/db/research.js';
import { getStory, listScenes } from '../../src/db/stories.js';
import type { Db } from '../../src/db/types.js';
import { buildProviders } from '../../src/providers/index.js';
import { buildStoryRun } from '../../src/run-story.js';
import { buildApp } from '../../src/server/app.js';
import { PIPELINE } from '../../src/stages/index.js';
import type { Services } from '../../src/stages/types.js';
import { retryStory } from '../../src/retry.js';
import { createStory, storyDetail } from '../../src/stories.js';
import { FAKE_GEMINI_KEY, type GeminiAnswer, geminiWriterAnswer, startGeminiFake } from '../fakes/gemini.js';
import { FAKE_QUERIES, FAKE_SITES } from '../fakes/grounding.js';
import { freshDb } from '../helpers/db.js';
import { testConfig, testServices } from '../helpers/services.js';

/**
 * The script stage with the Gemini writer against the strict fake, through the jobs table: the grounded
 * script's sources and scene links are stored, claims are checked, `research.factCheck` warns or blocks,
 * and `retry --from generate_script` writes (and researches) the script again.
 */

const SCRIPT = PIPELINE.slice(0, 1);
const env = { GEMINI_API_KEY: FAKE_GEMINI_KEY };

describe('researched scripts', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let fake: Awaited<ReturnType<typeof startGeminiFake>>;
  let answer: GeminiAnswer = geminiWriterAnswer();
  beforeAll(async () => {
    ({ db, cleanup } = await freshDb('pglite'));
    fake = await startGeminiFake((req, n) => answer(req, n));
  });
  afterAll(async () => {
    await fake.close();
    await cleanup();
  });

  function services(extra: UserConfig = {}): Services {
    const config = testConfig({ providers: { text: 'gemini' }, google: { endpoints: { gemini: fake.url }, retry: { attempts: 1 } }, queue: { pollSeconds: 0.05 }, ...extra });
    return { ...testServices(db, config), providers: buildProviders(config, env) };
  }
  const run = (s: Services, id: string) => buildStoryRun(s, SCRIPT, id, { worker: 'research-test', stop: new AbortController().signal, renderer: 'silent' }).run();

  it('stores a grounded script’s sources, which scenes each backs, the search queries and the checked claims', async () => {
    answer = geminiWriterAnswer({ scenes: 9 });
    const s = services();
    const story = await createStory(s, PIPELINE, { topic: 'The Antikythera Mechanism', language: 'en-US' });
    const before = fake.calls.length;
    await run(s, story.id);
    const calls = fake.calls.slice(before);
    // one grounded script call (the googleSearch tool with structured output), then one claims call without tools
    expect(calls.map((c) => [c.grounded, Object.keys(c.schema.properties).sort().join(',')])).toEqual([
      [true, 'hook,scenes,style,title'],
      [false, 'claims'],
    ]);
    expect(calls[0].body.tools).toEqual([{ googleSearch: {} }]);
    expect(calls[0].body.generationConfig.responseMimeType).toBe('application/json');

    const r = await getResearch(db, story.id);
    expect(r.origin).toBe('search');
    expect(r.search_queries).toEqual(FAKE_QUERIES('The Antikythera Mechanism'));
    expect(r.sources.map((x) => [x.position, x.domain, x.title])).toEqual(FAKE_SITES.map((d, i) => [i + 1, d, d]));
    expect(r.sources[0].url).toMatch(/^https:\/\/vertexaisearch\.cloud\.google\.com\/grounding-api-redirect\//);
    // the first sentence of scene n is backed by site ((n - 1) % 3) + 1; scene 1 by sites 1 and 2, its hook by site 1
    expect(r.sources.map((x) => x.scenes)).toEqual([
      [1, 4, 7],
      [1, 2, 5, 8],
      [3, 6, 9],
    ]);
    expect(r.sources.map((x) => x.citations)).toEqual([4, 4, 3]);
    expect(r.claims).toHaveLength(9);
    expect(r.claims.every((c) => c.verdict === 'supported')).toBe(true);
    expect(r.claims[1]).toMatchObject({ scene: 2, kind: 'number', sources: [2] });
    expect(r.claims[1].text).toMatch(/part 2\.$/);
    expect(r.fact_check).toBe('warn');
    expect((await getStory(db, story.id))!.status).toBe('published');
  });

  it('warn: an unsupported claim is recorded and shown in status and the API, and the story goes on', async () => {
    answer = geminiWriterAnswer({ scenes: 8, ungrounded: [3] });
    const s = services();
    const story = await createStory(s, PIPELINE, { topic: 'Tea', language: 'en-US' });
    await run(s, story.id);
    expect((await getStory(db, story.id))!.status).toBe('published');
    const detail = await storyDetail(db, story.id);
    const unsupported = detail.research.claims.filter((c) => c.verdict === 'unsupported');
    expect(unsupported.map((c) => c.scene)).toEqual([3]);
    expect(unsupported[0]).toMatchObject({ text: 'This is what the record says about Tea, part 3.', sources: [] });
    expect(detail.research.sources.find((x) => x.scenes.includes(3))).toBeUndefined();

    const view = detailView(detail);
    expect(view).toMatch(/sources {2}3 from Google Search \(3 queries\)/);
    expect(view).toMatch(/claims {3}7 of 8 supported, 1 unsupported \(checked with factCheck warn\)/);
    expect(view).toMatch(/│ 3 +│ This is what the record says about Tea, part 3\. +│ number +│ unsupported │ - +│/);

    const app = await buildApp(s, { keys: [], rateLimit: { max: 10, windowSeconds: 60 } });
    try {
      const res = await app.inject({ method: 'GET', url: `/stories/${story.id}` });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.research.claims.filter((c: { verdict: string }) => c.verdict === 'unsupported').map((c: { scene: number }) => c.scene)).toEqual([3]);
      expect(body.research.sources.map((x: { domain: string }) => x.domain)).toEqual(FAKE_SITES);
      expect(body.research).toEqual(JSON.parse(JSON.stringify(detail.research)));
      const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
      const schema = doc.paths['/stories/{story_id}'].get.responses['200'].content['application/json'].schema;
      expect(Object.keys(schema.properties.research.properties).sort()).toEqual(['checked_at', 'claims', 'fact_check', 'origin', 'search_queries', 'sources']);
    } finally {
      await app.close();
    }
  });

  it('block: fails the story with the unsupported claims and the ways on; a plain retry asks no model; retry --from generate_script writes it again', async () => {
    answer = geminiWriterAnswer({ scenes: 8, ungrounded: [2, 5] });
    const s = services({ research: { factCheck: 'block' } });
    const story = await createStory(s, PIPELINE, { topic: 'Tea', language: 'en-US' });
    await expect(run(s, story.id)).rejects.toThrow(/story failed/);
    const failed = (await getStory(db, story.id))!;
    expect(failed.status).toBe('failed');
    expect(failed.error_message).toMatch(/^generate_script: fact-check blocked the script \(research\.factCheck is block\): 2 of 8 claims have no supporting source: /);
    expect(failed.error_message).toContain('scene 2: "This is what the record says about Tea, part 2."; scene 5: "This is what the record says about Tea, part 5."');
    expect(failed.error_message).toContain('lost-archives create --script FILE.md');
    expect(failed.error_message).toContain(`lost-archives retry ${story.id} --from generate_script`);
    const jobs = await db.query<{ status: string; attempts: number }>("select status, attempts from jobs where story_id = $1 and type = 'generate_script'", [story.id]);
    expect(jobs).toEqual([{ status: 'failed', attempts: 1 }]); // permanent: not retried by the queue

    // a plain retry judges the recorded claims again, without a call
    const calls = fake.calls.length;
    await retryStory(s, SCRIPT, story.id);
    await expect(run(s, story.id)).rejects.toThrow(/story failed/);
    expect(fake.calls.length).toBe(calls);

    // the sources of the blocked script are gone with it; the new script is researched and passes
    answer = geminiWriterAnswer({ scenes: 8 });
    await retryStory(s, SCRIPT, story.id, 'generate_script');
    expect(await getResearch(db, story.id)).toMatchObject({ origin: null, sources: [], claims: [] });
    await run(s, story.id);
    expect(fake.calls.length).toBe(calls + 2);
    const r = await getResearch(db, story.id);
    expect(r.claims.map((c) => c.verdict)).toEqual(Array(8).fill('supported'));
    expect(r.fact_check).toBe('block');
    expect((await getStory(db, story.id))!.status).toBe('published');
  });

  it('sources survive a retry of a later stage', async () => {
    answer = geminiWriterAnswer({ scenes: 8 });
    const s = services();
    const story = await createStory(s, PIPELINE, { topic: 'Salt', language: 'en-US' });
    await run(s, story.id);
    const before = await getResearch(db, story.id);
    await db.query("update stories set status = 'failed' where id = $1", [story.id]);
    await db.query("insert into jobs (story_id, type, status) values ($1, 'generate_images', 'failed')", [story.id]);
    await retryStory(s, PIPELINE, story.id, 'generate_images');
    expect(await getResearch(db, story.id)).toEqual(before);
    expect(before.sources).toHaveLength(3);
  });

  it('counts the search queries in the ledger, and a tight --budget stops before the grounded call', async () => {
    answer = geminiWriterAnswer({ scenes: 8 });
    const s = services();
    const story = await createStory(s, PIPELINE, { topic: 'Ink', language: 'en-US' });
    await run(s, story.id);
    const rows = await listCosts(db, story.id);
    expect(rows.map((c) => [c.operation, c.search_queries])).toEqual([
      ['script', 3],
      ['claims', 0],
    ]);
    // $14 per 1,000 queries on top of the tokens
    expect(rows[0].usd).toBeCloseTo((1200 * 1.5 + 2400 * 7.5) / 1e6 + 3 * 0.014, 9);

    // the estimate counts 12 queries ($0.168) before the call: a $0.10 budget is refused with no request made
    const tight = await createStory(s, PIPELINE, { topic: 'Ink', language: 'en-US', budget_usd: 0.1 });
    const calls = fake.calls.length;
    await expect(run(s, tight.id)).rejects.toThrow(/story failed/);
    expect(fake.calls.length).toBe(calls);
    expect((await getStory(db, tight.id))!.error_message).toMatch(/^generate_script: budget reached: .* the script \(gemini-3\.8-flash\) would cost about \$0\.\d\d/);
    expect(await listCosts(db, tight.id)).toEqual([]);
    expect(await listScenes(db, tight.id)).toEqual([]);
  });
});
