import { describe, expect, it } from 'vitest';
import { limiter, mapLimit } from '../../src/concurrency.js';
import { DEFAULT_PRICES, priceOf, priceTable, storyMeter, voiceType } from '../../src/costs.js';
import { openPglite } from '../../src/db/pglite.js';
import { migrate } from '../../src/db/migrate.js';
import { insertStory } from '../../src/db/stories.js';
import { silentLogger } from '../../src/log.js';
import type { Meter } from '../../src/providers/types.js';
import type { JobType, Story } from '../../src/types.js';
import { NETWORK_ERROR_CODES, PermanentError, RetryableError, UsageError, isConnectionError } from '../../src/errors.js';
import { classify as classifyYoutube } from '../../src/providers/publish/youtube/errors.js';
import { QuotaLedger } from '../../src/providers/publish/youtube/quota.js';
import { geminiAuth } from '../../src/providers/google/credentials.js';
import { lazyGemini } from '../../src/providers/google/gemini.js';
import { MAX_SENTENCE_CHARS, narrationPieces, sentenceTimes, ssmlChunks } from '../../src/providers/speech/ssml.js';
import { parseConfig } from '../../src/config.js';
import { type CallInfo, classify, withRetry } from '../../src/providers/google/retry.js';

const info: CallInfo = { service: 'Cloud TTS', what: 'the narration of scene 2', setting: { key: 'google.voices', value: 'en-US-Neural2-Q' }, credentials: 'set GOOGLE_APPLICATION_CREDENTIALS' };
const policy = { attempts: 4, baseSeconds: 0.01, maxSeconds: 2 };

describe('retry policy', () => {
  it('classifies google-gax errors by their gRPC code', () => {
    const unavailable = classify(Object.assign(new Error('Service unavailable'), { code: 14 }), info);
    expect(unavailable).toBeInstanceOf(RetryableError);
    expect(unavailable.message).toMatch(/^Cloud TTS failed on the narration of scene 2 \(503: Service unavailable\)/);
    const badVoice = classify(Object.assign(new Error("Voice 'en-US-Neural2-Q' does not exist."), { code: 3 }), info);
    expect(badVoice).toBeInstanceOf(PermanentError);
    expect(badVoice.message).toMatch(/check google\.voices \("en-US-Neural2-Q"\)/);
    const denied = classify(Object.assign(new Error('The caller does not have permission'), { code: 7 }), info);
    expect(denied.message).toMatch(/credentials were refused: set GOOGLE_APPLICATION_CREDENTIALS/);
  });

  it('treats an unreachable service as retryable', () => {
    const err = classify(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }), info);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.message).toMatch(/could not be reached for the narration of scene 2 \(ECONNREFUSED/);
  });

  it('the database, the Google providers and the YouTube publisher retry the same network failures', async () => {
    const db = await openPglite('memory');
    try {
      const ledger = new QuotaLedger(db, { uploadsPerDay: 100, unitsPerDay: 10_000 });
      for (const code of NETWORK_ERROR_CODES) {
        const direct = Object.assign(new Error(`connect ${code} 203.0.113.9:443`), { code });
        const wrapped = new TypeError('fetch failed', { cause: direct });
        for (const err of [direct, wrapped]) {
          expect(classify(err, info), code).toBeInstanceOf(RetryableError);
          expect(await classifyYoutube(err, 'videos.insert', ledger), code).toBeInstanceOf(RetryableError);
        }
        expect(isConnectionError(direct), code).toBe(true);
      }
      // a refusal is not a network failure: permanent everywhere
      const refused = Object.assign(new Error('Request failed with status code 400'), { response: { status: 400, data: { error: { errors: [{ reason: 'invalidTitle' }], message: 'bad title' } } } });
      expect(await classifyYoutube(refused, 'videos.insert', ledger)).toBeInstanceOf(PermanentError);
      expect(isConnectionError(refused)).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const inSeconds = classify({ message: 'slow down', response: { status: 429, headers: new Headers({ 'retry-after': '7' }) } }, info) as RetryableError;
    expect(inSeconds.retryAfterSeconds).toBe(7);
    const date = new Date(Date.now() + 30_000).toUTCString();
    const asDate = classify({ message: 'slow down', response: { status: 503, headers: new Headers({ 'retry-after': date }) } }, info) as RetryableError;
    expect(asDate.retryAfterSeconds).toBeGreaterThan(25);
    expect(asDate.retryAfterSeconds).toBeLessThanOrEqual(30);
  });

  it('hands a wait longer than maxSeconds to the queue at once instead of sleeping', async () => {
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls++;
        throw { status: 429, message: JSON.stringify({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'quota', details: [{ retryDelay: '40s' }] } }) };
      },
      { policy, info, signal: new AbortController().signal },
    ).catch((e) => e);
    expect(calls).toBe(1);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.retryAfterSeconds).toBe(40);
    expect(err.message).toMatch(/429 RESOURCE_EXHAUSTED: quota/);
  });

  it('does not retry what cannot heal, and stops waiting when aborted', async () => {
    let calls = 0;
    const permanent = await withRetry(async () => (calls++, Promise.reject({ status: 400, message: 'Invalid JSON payload' })), { policy, info, signal: new AbortController().signal }).catch((e) => e);
    expect(permanent).toBeInstanceOf(PermanentError);
    expect(calls).toBe(1);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop')), 50);
    const aborted = await withRetry(() => Promise.reject({ status: 503, message: 'down' }), { policy: { attempts: 10, baseSeconds: 1, maxSeconds: 1 }, info, signal: ac.signal }).catch((e) => e);
    expect(aborted.message).toBe('stop');
  });
});

describe('Gemini credentials from the environment', () => {
  it('prefers GOOGLE_API_KEY like the SDK, accepts Vertex AI (global unless GOOGLE_CLOUD_LOCATION says otherwise), and names what is missing', () => {
    expect(geminiAuth({ GEMINI_API_KEY: 'a', GOOGLE_API_KEY: 'b' })).toEqual({ kind: 'apiKey', apiKey: 'b' });
    expect(geminiAuth({ GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p', GOOGLE_CLOUD_LOCATION: 'us-central1' })).toEqual({ kind: 'vertex', project: 'p', location: 'us-central1' });
    expect(geminiAuth({ GOOGLE_GENAI_USE_VERTEXAI: '1', GOOGLE_CLOUD_PROJECT: 'p' })).toEqual({ kind: 'vertex', project: 'p', location: 'global' });
    expect(geminiAuth({ GOOGLE_GENAI_USE_VERTEXAI: '1', GOOGLE_CLOUD_LOCATION: 'global' })).toEqual({ missing: 'GOOGLE_GENAI_USE_VERTEXAI is set but GOOGLE_CLOUD_PROJECT is not' });
    expect((geminiAuth({}) as { missing: string }).missing).toMatch(/^GEMINI_API_KEY is not set/);
  });
});

describe('prices', () => {
  it('prices tokens, images and characters, and knows the voice type of a voice name', () => {
    expect(voiceType('en-US-Chirp3-HD-Kore')).toBe('Chirp3-HD');
    expect(voiceType('cmn-CN-Wavenet-B')).toBe('Wavenet');
    expect(priceOf(DEFAULT_PRICES, 'gemini-3.5-flash', { tokensIn: 1_000_000, tokensOut: 100_000 })).toBeCloseTo(1.5 + 0.9, 9);
    expect(priceOf(DEFAULT_PRICES, 'gemini-3.1-flash-image', { tokensIn: 0, images: 12 })).toBeCloseTo(0.804, 9);
    // Google's pricing page: 3.5 Flash-Lite $0.30 / $2.50, 3.1 Flash-Lite $0.25 / $1.50 per million tokens in / out
    expect(priceOf(DEFAULT_PRICES, 'gemini-3.5-flash-lite', { tokensIn: 1_000_000, tokensOut: 1_000_000 })).toBeCloseTo(0.3 + 2.5, 9);
    expect(priceOf(DEFAULT_PRICES, 'gemini-3.1-flash-lite', { tokensIn: 1_000_000, tokensOut: 1_000_000 })).toBeCloseTo(0.25 + 1.5, 9);
    // an image model's thinking bills at its text output rate
    expect(priceOf(DEFAULT_PRICES, 'gemini-3-pro-image', { tokensOut: 1_000_000, images: 1 })).toBeCloseTo(12 + 0.134, 9);
    expect(priceOf(DEFAULT_PRICES, 'Neural2', { characters: 6700 })).toBeCloseTo(0.1072, 9);
    expect(priceOf(DEFAULT_PRICES, 'some-new-model', { tokensIn: 5 })).toBeNull();
    expect(priceOf(priceTable({ Neural2: { perMillionCharacters: 20 } }), 'Neural2', { characters: 1e6 })).toBe(20);
  });
});

describe('limiter', () => {
  it('runs at most n at once and all of them in the end', async () => {
    const limit = limiter(2);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        limit(async () => {
          peak = Math.max(peak, ++active);
          await new Promise((r) => setTimeout(r, 10));
          active--;
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(2);
  });
});

/** A story with this budget on a fresh embedded database, and a meter maker for it. */
async function withBudgetedStory(budget: number, fn: (story: Story, meterFor: (s: Pick<Story, 'id' | 'budget_usd'>, stage: JobType) => Meter) => Promise<void>) {
  const db = await openPglite('memory');
  try {
    await migrate(db);
    const story = await insertStory(db, 'Tea', 'en-US', budget);
    await fn(story, (s, stage) => storyMeter({ db, prices: priceTable({}), log: silentLogger }, s, stage));
  } finally {
    await db.close();
  }
}

describe('budget and failures under concurrency', () => {
  it('calls reserved at the same moment see each other: four $0.067 stills against a $0.10 budget, one is made', async () => {
    await withBudgetedStory(0.1, async (story, meterFor) => {
      const meter = meterFor(story, 'generate_images');
      const call = { provider: 'gemini', model: 'gemini-3.1-flash-image', operation: 'still', usage: { images: 1 } };
      const results = await Promise.allSettled([1, 2, 3, 4].map((scene) => meter.reserve({ ...call, scene })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refused).toHaveLength(3);
      for (const r of refused) expect(r.reason.message).toMatch(/budget reached/);
      // once settled, the call is in the ledger and the budget still holds
      await (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ settle: (u: { images: number }) => Promise<void> }>).value.settle({ images: 1 });
      await expect(meter.reserve({ ...call, scene: 5 })).rejects.toThrow(/spent \$0\.0670 of its \$0\.10 budget/);
    });
  });

  it('a story with a budget refuses a call it cannot price, naming google.prices', async () => {
    await withBudgetedStory(1, async (story, meterFor) => {
      const meter = meterFor(story, 'generate_script');
      await expect(meter.reserve({ provider: 'gemini', model: 'gemini-9-ultra', operation: 'script', usage: { tokensIn: 10 } })).rejects.toThrow(/gemini-9-ultra has no price: add it to google\.prices/);
      // without a budget it is only recorded at $0 (and warned about)
      const free = meterFor({ id: story.id, budget_usd: null }, 'generate_script');
      await expect(free.reserve({ provider: 'gemini', model: 'gemini-9-ultra', operation: 'script', usage: { tokensIn: 10 } })).resolves.toBeTruthy();
    });
  });

  it('after a failure no new item starts, and the ones running are waited for before it rejects', async () => {
    const started: number[] = [];
    let running = 0;
    const err = await mapLimit([0, 1, 2, 3, 4, 5, 6, 7], 2, async (i) => {
      started.push(i);
      running++;
      await new Promise((r) => setTimeout(r, i === 0 ? 5 : 30));
      running--;
      if (i === 0) throw new Error('scene 1 failed');
      return i;
    }).catch((e) => e);
    expect(err.message).toBe('scene 1 failed');
    expect(started).toEqual([0, 1]);
    expect(running).toBe(0);
  });

  it('names the voice setting only when the refusal is about the voice, and sends invalid_grant to the credentials', () => {
    const refused = (message: string, status = 400) => classify(Object.assign(new Error(message), { code: status, status }), info).message;
    expect(refused('Voice en-US-Neural2-Q does not exist')).toMatch(/check google\.voices \("en-US-Neural2-Q"\)/);
    expect(refused('Invalid SSML: unexpected token at line 1')).toMatch(/the request was refused; check the google settings in the config$/);
    expect(refused('invalid_grant: token has been expired or revoked')).toMatch(/the credentials were refused: set GOOGLE_APPLICATION_CREDENTIALS/);
  });

  it('a connection closed in the middle of an answer is retryable, not a bug to report', () => {
    const premature = Object.assign(new Error('Premature close'), { name: 'FetchError', code: 'ERR_STREAM_PREMATURE_CLOSE' });
    expect(classify(premature, info)).toBeInstanceOf(RetryableError);
  });
});

describe('Vertex AI location', () => {
  const config = parseConfig({}, 'test').google;
  it('defaults to global, and a 404 from a regional location says that current models are served from global only', () => {
    expect(lazyGemini(config, { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p' }).notFound).toBeUndefined();
    const regional = lazyGemini(config, { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p', GOOGLE_CLOUD_LOCATION: 'us-central1' });
    const info: CallInfo = { service: 'Gemini', what: 'the script', setting: { key: 'google.models.text', value: 'gemini-3.8-flash' }, credentials: regional.credentials, notFound: regional.notFound };
    const err = classify({ status: 404, message: JSON.stringify({ error: { code: 404, status: 'NOT_FOUND', message: 'Publisher Model `projects/p/locations/us-central1/publishers/google/models/gemini-3.8-flash` was not found' } }) }, info);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/served from the global location only, and GOOGLE_CLOUD_LOCATION is us-central1: unset it \(or set it to global\)/);
    expect(lazyGemini(config, { GEMINI_API_KEY: 'k' }).notFound).toBeUndefined();
  });
});

describe('speaking rate per voice family', () => {
  it('refuses a rate a Chirp 3 HD voice does not take, naming the key, the voice and the range', () => {
    const chirp = { google: { speakingRate: 4, voices: { 'en-US': 'en-US-Chirp3-HD-Kore' } } };
    const err = (() => {
      try {
        parseConfig(chirp, 'lost-archives.config.ts');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err!.message).toContain("google.speakingRate: is 4, but Chirp 3 HD voices accept 0.25 to 2 (google.voices['en-US'] is en-US-Chirp3-HD-Kore)");
    expect(parseConfig({ google: { speakingRate: 2, voices: { 'en-US': 'en-US-Chirp3-HD-Kore' } } }, 'x').google.speakingRate).toBe(2);
    expect(parseConfig({ google: { speakingRate: 4, voices: { 'en-US': 'en-US-Neural2-D' } } }, 'x').google.speakingRate).toBe(4);
  });
});

describe('narration pieces', () => {
  it('cuts only sentences over the limit, at commas first, keeps the text, and times each sentence from its pieces', () => {
    const long = 'Ils ont rempli les registres, ' + Array.from({ length: 9 }, (_, i) => `la caisse ${i} du port de Marseille`).join(', ') + ', puis la nuit est tombée.';
    const pieces = narrationPieces(['Court.', long, 'Fin.'], (s) => Buffer.byteLength(s), 'fr-FR');
    expect(pieces[0]).toEqual({ text: 'Court.', sentence: 0, cut: false });
    const mid = pieces.filter((p) => p.sentence === 1);
    expect(mid.length).toBeGreaterThan(1);
    expect(mid.map((p) => p.text).join(' ')).toBe(long);
    for (const p of mid) expect(Array.from(p.text).length).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
    expect(mid.map((p) => p.cut)).toEqual([...mid.slice(1).map(() => true), false]);
    expect(mid.slice(0, -1).every((p) => p.text.endsWith(','))).toBe(true);
    // a piece that cuts a sentence ends its request
    for (const c of ssmlChunks(pieces)) expect(c.pieces.slice(0, -1).some((p) => p.cut)).toBe(false);
    const times = pieces.map((_, i) => ({ start: i, end: i + 0.5 }));
    expect(sentenceTimes(['Court.', long, 'Fin.'], pieces, times)).toEqual([
      { text: 'Court.', start: 0, end: 0.5 },
      { text: long, start: 1, end: mid.length + 0.5 },
      { text: 'Fin.', start: mid.length + 1, end: mid.length + 1.5 },
    ]);
    // a language written without spaces is cut between words, not inside one
    const ja = 'これは' + '長い文章で'.repeat(60) + '終わります。';
    const jaPieces = narrationPieces([ja], (s) => Buffer.byteLength(s), 'ja-JP');
    expect(jaPieces.map((p) => p.text).join('')).toBe(ja);
    for (const p of jaPieces) expect(Array.from(p.text).length).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
  });
});
