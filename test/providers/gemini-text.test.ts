import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Config, parseConfig } from '../../src/config.js';
import { priceTable, storyMeter } from '../../src/costs.js';
import { listCosts } from '../../src/db/costs.js';
import { insertStory } from '../../src/db/stories.js';
import type { Db } from '../../src/db/types.js';
import { PermanentError, RetryableError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { geminiWriter } from '../../src/providers/text/gemini.js';
import type { Story } from '../../src/types.js';
import { freshDb } from '../helpers/db.js';
import { FAKE_GEMINI_KEY, type GeminiAnswer, fakeMetadata, fakeScript, geminiWriterAnswer, jsonReply, startGeminiFake } from '../fakes/gemini.js';
import { googleError, rateLimited } from '../fakes/http.js';

/** The Gemini writer through the real @google/genai SDK, against a loopback Gemini API. */

const env = { GEMINI_API_KEY: FAKE_GEMINI_KEY };
const signal = () => AbortSignal.timeout(30_000);

function googleConfig(url: string, extra: object = {}): Config['google'] {
  return parseConfig({ providers: { text: 'gemini' }, google: { endpoints: { gemini: url }, retry: { attempts: 3, baseSeconds: 0.05, maxSeconds: 2 }, ...extra } }, 'test').google;
}

let fake: Awaited<ReturnType<typeof startGeminiFake>> | null = null;
let answer: GeminiAnswer = geminiWriterAnswer();
async function server() {
  fake = await startGeminiFake((req, n) => answer(req, n));
  return fake;
}
afterEach(async () => {
  await fake?.close();
  fake = null;
  answer = geminiWriterAnswer();
});

describe('Gemini writer: script', () => {
  it('asks for structured output and turns the answer into scenes with a shared visual style', async () => {
    const s = await server();
    const draft = await geminiWriter(googleConfig(s.url), env).writeScript({ topic: 'The Library of Alexandria', language: 'es-ES' }, signal());
    expect(s.calls).toHaveLength(1);
    const call = s.calls[0];
    expect(call.model).toBe('gemini-3.8-flash');
    expect(call.raw.body.generationConfig.responseMimeType).toBe('application/json');
    expect(call.schema.properties.scenes.minItems).toBe(8);
    expect(call.schema.properties.scenes.maxItems).toBe(20);
    expect(call.prompt).toContain('The Library of Alexandria');
    expect(call.prompt).toContain('Spanish (Spain)');
    expect(call.prompt).toMatch(/about 1120 words/); // 8 minutes at 140 words a minute
    expect(draft.scenes).toHaveLength(10);
    expect(draft.scenes[0].text_content.startsWith('Nobody expected The Library of Alexandria to survive.')).toBe(true);
    expect(new Set(draft.scenes.map((sc) => sc.image_prompt.split('Style: ')[1])).size).toBe(1);
    expect(draft.source.provider).toBe('gemini');
    expect(draft.script).toContain('## Part 10');
  });

  it('sizes the script for google.targetMinutes', async () => {
    const s = await server();
    await geminiWriter(googleConfig(s.url, { targetMinutes: 3 }), env).writeScript({ topic: 'Tea', language: 'en-US' }, signal());
    expect(s.calls[0].prompt).toMatch(/about 420 words/);
    expect(s.calls[0].prompt).toMatch(/in 8 scenes/);
  });

  it('asks once more with the problems listed when the answer breaks the schema, and takes the repaired answer', async () => {
    answer = (req, n) => (n === 1 ? jsonReply({ ...fakeScript(req.prompt, 5), hook: '' }) : jsonReply(fakeScript(req.prompt, 9)));
    const s = await server();
    const draft = await geminiWriter(googleConfig(s.url), env).writeScript({ topic: 'Tea', language: 'en-US' }, signal());
    expect(draft.scenes).toHaveLength(9);
    expect(s.calls).toHaveLength(2);
    const repair = s.calls[1];
    expect(repair.body.contents.map((c: { role: string }) => c.role)).toEqual(['user', 'model', 'user']);
    expect(repair.prompt).toMatch(/scenes/);
    expect(repair.prompt).toMatch(/hook/);
  });

  it('fails clearly after the repair attempt also breaks the schema (or is not JSON)', async () => {
    answer = (req, n) => (n === 1 ? jsonReply({ ...fakeScript(req.prompt), scenes: [] }) : { body: { candidates: [{ content: { parts: [{ text: 'Sure! Here is your script:' }] }, finishReason: 'STOP' }] } });
    const s = await server();
    const err = await geminiWriter(googleConfig(s.url), env).writeScript({ topic: 'Tea', language: 'en-US' }, signal()).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/does not match the expected shape, twice/);
    expect(err.message).toMatch(/not valid JSON/);
    expect(err.message).toMatch(/google\.models\.text/);
    expect(s.calls).toHaveLength(2);
  });

  it('waits out a 429 (honouring Retry-After) and then succeeds', async () => {
    answer = (req, n) => (n === 1 ? { ...googleError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'), headers: { 'retry-after': '1' } } : geminiWriterAnswer()(req, n));
    const s = await server();
    const t0 = performance.now();
    const draft = await geminiWriter(googleConfig(s.url), env).writeScript({ topic: 'Tea', language: 'en-US' }, signal());
    expect(draft.scenes.length).toBeGreaterThanOrEqual(8);
    expect(s.calls).toHaveLength(2);
    expect(s.calls[1].raw.at - s.calls[0].raw.at).toBeGreaterThanOrEqual(950);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('honours RetryInfo.retryDelay in a 429 body as Google sends it (RESOURCE_EXHAUSTED, no Retry-After header)', async () => {
    answer = (req, n) => (n === 1 ? rateLimited(1) : geminiWriterAnswer()(req, n));
    const s = await server();
    await geminiWriter(googleConfig(s.url), env).writeScript({ topic: 'Tea', language: 'en-US' }, signal());
    expect(s.calls).toHaveLength(2);
    expect(s.requests[0].headers['retry-after']).toBeUndefined();
    // the policy's own backoff here is 0.05 s: only the body's "1s" explains the wait
    expect(s.calls[1].raw.at - s.calls[0].raw.at).toBeGreaterThanOrEqual(950);
  });

  it('hands a RetryInfo wait longer than google.retry.maxSeconds to the queue with that wait', async () => {
    answer = () => rateLimited(17);
    const s = await server();
    const err = await geminiWriter(googleConfig(s.url), env).writeScript({ topic: 'Tea', language: 'en-US' }, signal()).catch((e) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.retryAfterSeconds).toBe(17);
    expect(err.message).toMatch(/429 RESOURCE_EXHAUSTED/);
    expect(s.calls).toHaveLength(1);
  });

  it('gives up on a 503 storm after the configured tries, as a retryable failure for the queue', async () => {
    answer = () => googleError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
    const s = await server();
    const err = await geminiWriter(googleConfig(s.url), env).writeScript({ topic: 'Tea', language: 'en-US' }, signal()).catch((e) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.message).toMatch(/503 UNAVAILABLE/);
    expect(err.message).toMatch(/overloaded/);
    expect(s.calls).toHaveLength(3);
    // backoff grows: the second gap is longer than the first
    const gaps = [s.calls[1].raw.at - s.calls[0].raw.at, s.calls[2].raw.at - s.calls[1].raw.at];
    expect(gaps[1]).toBeGreaterThan(gaps[0]);
  });

  it('fails at once, naming the variable, when the key is refused', async () => {
    const s = await server();
    const err = await geminiWriter(googleConfig(s.url), { GEMINI_API_KEY: 'wrong' }).writeScript({ topic: 'Tea', language: 'en-US' }, signal()).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/API_KEY_INVALID/);
    expect(err.message).toMatch(/GEMINI_API_KEY/);
    expect(err.message).not.toContain('wrong');
    expect(s.requests).toHaveLength(1);
  });

  it('fails at once for a model the service does not know, naming the config key', async () => {
    // the strict fake answers an id it does not serve with the API's own 404
    const s = await server();
    const err = await geminiWriter(googleConfig(s.url, { models: { text: 'gemini-2.5-flash' } }), env).writeScript({ topic: 'Tea', language: 'en-US' }, signal()).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/google\.models\.text is "gemini-2.5-flash"/);
    expect(s.calls).toHaveLength(1);
  });

  it('makes no request without a key and says which variable to set', async () => {
    const s = await server();
    const err = await geminiWriter(googleConfig(s.url), {}).writeScript({ topic: 'Tea', language: 'en-US' }, signal()).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/GEMINI_API_KEY is not set/);
    expect(s.requests).toHaveLength(0);
  });

  it('limits the calls in flight to google.concurrency.text', async () => {
    answer = (req, n) => ({ ...geminiWriterAnswer()(req, n), delayMs: 150 });
    const s = await server();
    const writer = geminiWriter(googleConfig(s.url, { concurrency: { text: 2 } }), env);
    await Promise.all(Array.from({ length: 5 }, () => writer.writeScript({ topic: 'Tea', language: 'en-US' }, signal())));
    const overlap = (t: number) => s.requests.filter((r) => r.at <= t && (r.done ?? Infinity) > t).length;
    expect(Math.max(...s.requests.map((r) => overlap(r.at)))).toBe(2);
  });
});

describe('Gemini writer: metadata', () => {
  it('writes title, description with the chapter list, tags and a thumbnail headline', async () => {
    const s = await server();
    const story = { id: 'x', topic: 'Tea', language: 'en-US' } as Story;
    const scenes = [1, 2, 3].map((p) => ({ position: p, title: `Part ${p}`, text_content: `Narration ${p}.` })) as never;
    const chapters = [{ start: 0, title: 'Part 1' }, { start: 12.4, title: 'Part 2' }, { start: 70, title: 'Part 3' }];
    const m = await geminiWriter(googleConfig(s.url), env).writeMetadata({ story, scenes, chapters }, signal());
    expect(s.calls[0].schema.properties.title.maxLength).toBe(100);
    expect(s.calls[0].prompt).toContain('Narration 2.');
    expect(m.title).toBe('Tea: what the archive remembers');
    expect(m.description).toContain('Chapters:\n0:00 Part 1\n0:12 Part 2\n1:10 Part 3');
    expect(m.tags).toContain('history');
    expect(m.thumbnailHeadline).toBe('What Survived');
    expect(m.preview).toBe(false);
  });
});

describe('Gemini writer: metadata limits', () => {
  it('keeps the whole chapter list within 5000 bytes when the description is long and multibyte', async () => {
    answer = (req) => jsonReply({ ...fakeMetadata(req.prompt), description: 'Η βιβλιοθήκη της Αλεξάνδρειας κάηκε. '.repeat(90).trim() });
    const s = await server();
    const story = { id: 'x', topic: 'Αλεξάνδρεια', language: 'el-GR' } as Story;
    const chapters = Array.from({ length: 20 }, (_, i) => ({ start: i * 30, title: `Κεφάλαιο ${i + 1}` }));
    const m = await geminiWriter(googleConfig(s.url), env).writeMetadata({ story, scenes: [], chapters }, signal());
    expect(Buffer.byteLength(m.description)).toBeLessThanOrEqual(5000);
    expect(Buffer.byteLength(m.description)).toBeGreaterThan(4800);
    expect(m.description.endsWith('Chapters:\n' + chapters.map((c, i) => `${Math.floor(c.start / 60)}:${String(c.start % 60).padStart(2, '0')} Κεφάλαιο ${i + 1}`).join('\n'))).toBe(true);
    expect(m.description).toMatch(/…\n\nChapters:/);
  });
});

describe('cost ledger of the writer', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ db, cleanup } = await freshDb('pglite')));
  afterAll(() => cleanup());

  it('records tokens in and out, the grounded search queries, and their price for each call', async () => {
    const s = await server();
    const story = await insertStory(db, 'Tea', 'en-US');
    const meter = storyMeter({ db, prices: priceTable({}), log: silentLogger }, story, 'generate_script');
    await geminiWriter(googleConfig(s.url), env).writeScript({ topic: 'Tea', language: 'en-US' }, signal(), meter);
    const rows = await listCosts(db, story.id);
    expect(rows).toHaveLength(1);
    // the grounded answer (test/fakes/grounding.ts): 1200 tokens in, 2400 out, 3 search queries
    expect(rows[0]).toMatchObject({ provider: 'gemini', model: 'gemini-3.8-flash', operation: 'script', tokens_in: 1200, tokens_out: 2400, search_queries: 3, stage: 'generate_script' });
    expect(rows[0].usd).toBeCloseTo((1200 * 1.5 + 2400 * 7.5) / 1e6 + 3 * 0.014, 9);
  });

  it('stops before a call that would pass the story budget, without calling', async () => {
    const s = await server();
    const story = await insertStory(db, 'Tea', 'en-US');
    const meter = storyMeter({ db, prices: priceTable({}), log: silentLogger }, { id: story.id, budget_usd: 0.01 }, 'generate_script');
    const err = await geminiWriter(googleConfig(s.url), env).writeScript({ topic: 'Tea', language: 'en-US' }, signal(), meter).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/budget reached: the story has spent \$0\.0000 of its \$0\.0100 budget and the script \(gemini-3\.8-flash\) would cost about \$0\.\d\d/);
    expect(s.requests).toHaveLength(0);
    expect(await listCosts(db, story.id)).toHaveLength(0);
  });
});
