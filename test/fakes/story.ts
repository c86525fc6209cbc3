import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config.js';
import { migrate } from '../../src/db/migrate.js';
import { getStoryDetail } from '../../src/db/stories.js';
import { openPglite } from '../../src/db/pglite.js';
import { silentLogger } from '../../src/log.js';
import { buildMedia } from '../../src/media/index.js';
import { buildProviders } from '../../src/providers/index.js';
import { buildStoryRun } from '../../src/run-story.js';
import { PIPELINE } from '../../src/stages/index.js';
import type { Services } from '../../src/stages/types.js';
import { localStorage } from '../../src/storage/local.js';
import { createStory } from '../../src/stories.js';
import { FAKE_GEMINI_KEY, geminiWriterAnswer, startGeminiFake } from './gemini.js';
import { FAKE_TTS_TOKEN, startTtsFake } from './tts.js';

/**
 * One story through the Google providers against loopback fakes that take as long as the real models
 * (seconds per image), from script to metadata (render and upload need no provider), measuring the
 * wall time beside the sum of the calls and their critical path. Used by the pipeline test and by
 * bench/pipeline.ts.
 */

export interface StoryTiming {
  scenes: number;
  wallSeconds: number;
  /** every provider call's duration, added up: what running them one after another would take */
  sumOfCallsSeconds: number;
  /**
   * The least wall time the dependencies and the configured concurrency allow (see `criticalPath`):
   * the script's text calls, then the stills (at `min(image, scene)` concurrency) beside the narration,
   * then the metadata call, which needs both.
   */
  criticalPathSeconds: number;
  /** the formula used before stages overlapped: every text call, the slowest still and the slowest narration, as if unlimited in number */
  oldCriticalPathSeconds: number;
  /** most image (and narration) requests in flight at once */
  maxImagesInFlight: number;
  maxNarrationsInFlight: number;
  /** every call, in seconds since the story started (one clock for both fakes) */
  calls: Call[];
  /** each stage's job: when it was queued, started and finished, in seconds since the story started */
  stages: { type: string; queued: number; start: number; end: number }[];
  status: string;
  /** what the cost ledger recorded for the story, at the built-in prices */
  costUsd: number;
  narrationCharacters: number;
}

export interface Call {
  kind: 'text' | 'image' | 'speech';
  start: number;
  end: number;
}

/**
 * The honest floor under the wall time: the script's text calls (all but the last), then whichever is
 * longer of the stills and the narration, then the metadata call (the last), which needs both. A kind of
 * call made `n` at a time cannot take less than its longest call nor less than its calls' sum over `n`.
 */
export function criticalPath(calls: readonly Call[], limits: { image: number; speech: number }): number {
  const spans = (kind: Call['kind']) => calls.filter((c) => c.kind === kind).map((c) => c.end - c.start);
  const floor = (kind: Call['kind'], n: number) => Math.max(0, ...spans(kind), spans(kind).reduce((a, d) => a + d, 0) / n);
  const texts = spans('text');
  const script = texts.slice(0, -1).reduce((a, d) => a + d, 0);
  return script + Math.max(floor('image', limits.image), floor('speech', limits.speech)) + (texts.at(-1) ?? 0);
}

const SPEECH_CONCURRENCY = 4;

function maxOverlap(spans: { start: number; end: number }[]): number {
  return Math.max(0, ...spans.map((s) => spans.filter((o) => o.start <= s.start && o.end > s.start).length));
}

export async function timeStory(opts: { scenes: number; imageSeconds: number; textSeconds: number; speechSeconds: number; sceneConcurrency: number; imageConcurrency: number }): Promise<StoryTiming> {
  const gemini = await startGeminiFake(geminiWriterAnswer({ scenes: opts.scenes, imageDelayMs: opts.imageSeconds * 1000, textDelayMs: opts.textSeconds * 1000 }));
  const tts = await startTtsFake({ delayMs: opts.speechSeconds * 1000 });
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'la-story-'));
  const db = await openPglite('memory');
  try {
    await migrate(db);
    const parsed = parseConfig(
      {
        dataDir: path.join(dir, 'data'),
        providers: { text: 'gemini', image: 'gemini', speech: 'google' },
        google: { endpoints: { gemini: gemini.url, tts: tts.url }, concurrency: { text: 2, image: opts.imageConcurrency, speech: SPEECH_CONCURRENCY } },
        video: { width: 640, height: 360 },
        sceneConcurrency: opts.sceneConcurrency,
        queue: { pollSeconds: 0.05 },
      },
      'story timing',
    );
    const config = { ...parsed, source: null, baseDir: dir };
    const env = { GEMINI_API_KEY: FAKE_GEMINI_KEY, GOOGLE_OAUTH_ACCESS_TOKEN: FAKE_TTS_TOKEN };
    const services: Services = { config, db, storage: localStorage(path.join(dir, 'storage')), providers: buildProviders(config, env), media: buildMedia(), logger: silentLogger };
    const pipeline = PIPELINE.slice(0, PIPELINE.findIndex((s) => s.type === 'generate_metadata') + 1);
    const story = await createStory(services, pipeline, { topic: 'The Antikythera Mechanism', language: 'en-US' });
    const t0 = performance.now();
    const epoch = Date.now();
    await buildStoryRun(services, pipeline, story.id, { worker: 'timing', stop: new AbortController().signal, renderer: 'silent' }).run();
    const wallSeconds = (performance.now() - t0) / 1000;
    const detail = (await getStoryDetail(db, story.id))!;
    const sec = (origin: number, at: number) => (origin + at - t0) / 1000;
    const calls: Call[] = [
      ...gemini.calls.map((c) => ({ kind: c.image ? ('image' as const) : ('text' as const), start: sec(gemini.startedAt, c.raw.at), end: sec(gemini.startedAt, c.raw.done ?? c.raw.at) })),
      ...tts.requests.filter((r) => r.method === 'POST').map((r) => ({ kind: 'speech' as const, start: sec(tts.startedAt, r.at), end: sec(tts.startedAt, r.done ?? r.at) })),
    ].sort((a, b) => a.start - b.start);
    const longest = (kind: string) => Math.max(0, ...calls.filter((c) => c.kind === kind).map((c) => c.end - c.start));
    const texts = calls.filter((c) => c.kind === 'text').map((c) => c.end - c.start);
    const since = (d: Date | null) => (d ? (d.getTime() - epoch) / 1000 : NaN);
    const sceneLimit = (n: number) => Math.min(n, opts.sceneConcurrency);
    return {
      scenes: detail.scenes.length,
      wallSeconds,
      sumOfCallsSeconds: calls.reduce((n, c) => n + (c.end - c.start), 0),
      criticalPathSeconds: criticalPath(calls, { image: sceneLimit(opts.imageConcurrency), speech: sceneLimit(SPEECH_CONCURRENCY) }),
      oldCriticalPathSeconds: texts.reduce((n, d) => n + d, 0) + longest('image') + longest('speech'),
      stages: detail.jobs.map((j) => ({ type: j.type, queued: since(j.created_at), start: since(j.started_at), end: since(j.finished_at) })),
      maxImagesInFlight: maxOverlap(calls.filter((c) => c.kind === 'image')),
      maxNarrationsInFlight: maxOverlap(calls.filter((c) => c.kind === 'speech')),
      calls,
      status: detail.status,
      costUsd: detail.cost_usd,
      narrationCharacters: detail.costs.filter((c) => c.operation === 'narration').reduce((n, c) => n + c.characters, 0),
    };
  } finally {
    await db.close();
    await gemini.close();
    await tts.close();
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
