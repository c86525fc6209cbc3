import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getStory } from '../../src/db/stories.js';
import type { Db } from '../../src/db/types.js';
import { silentLogger } from '../../src/log.js';
import { type Media, buildMedia } from '../../src/media/index.js';
import { buildStoryRun } from '../../src/run-story.js';
import { PIPELINE } from '../../src/stages/index.js';
import { renderStage } from '../../src/stages/render.js';
import type { Services, StageContext } from '../../src/stages/types.js';
import { createStory } from '../../src/stories.js';
import { freshDb } from '../helpers/db.js';
import { testConfig, testServices } from '../helpers/services.js';

/**
 * The render stage's progress lines on a real (small) render: in 5% steps, with the speed and the time
 * left measured from what ffmpeg reports. The wall clock the stage reads (performance.now) is moved by
 * five seconds at every report of every ffmpeg, so what the lines say does not hang on this machine's speed.
 */

const STEP_SECONDS = 5;

describe('the render progress', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let s: Services;
  let storyId: string;

  beforeAll(async () => {
    ({ db, cleanup } = await freshDb('pglite'));
    s = testServices(db, testConfig({ video: { width: 320, height: 180, fps: 15, profile: 'draft', preset: 'superfast', music: 'none', processes: 2 } }));
    const pipeline = PIPELINE.slice(0, PIPELINE.findIndex((x) => x.type === 'generate_metadata') + 1);
    storyId = (await createStory(s, pipeline, { topic: 'The Phaistos Disc', language: 'en-US' })).id;
    await buildStoryRun(s, pipeline, storyId, { worker: 'progress-test', stop: new AbortController().signal, renderer: 'silent' }).run();
  });
  afterAll(async () => {
    vi.useRealTimers();
    await cleanup?.();
  });

  it('says how far, how fast and how long still, in 5% steps', async () => {
    const media = buildMedia();
    const reports: number[] = [];
    const ticking: Media = {
      ...media,
      run: (job, opts = {}) => {
        const { onProgress } = opts;
        if (!onProgress) return media.run(job, opts);
        return media.run(job, { ...opts, onProgress: (seconds) => (reports.push(seconds), vi.advanceTimersByTime(STEP_SECONDS * 1000), onProgress(seconds)) });
      },
    };
    const lines: string[] = [];
    const ctx: StageContext = { ...s, media: ticking, signal: new AbortController().signal, log: silentLogger, progress: (text) => lines.push(text) };
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      await renderStage.run((await getStory(db, storyId))!, ctx);
    } finally {
      vi.useRealTimers();
    }
    const steps = lines.filter((l) => /^\d+% of /.test(l));
    expect(reports.length, 'ffmpeg reported progress').toBeGreaterThan(1);
    expect(steps.length).toBeGreaterThan(1);
    const total = /^\d+% of (\d+\.\d)s/.exec(steps[0])![1];
    const pcts = steps.map((l) => Number(/^(\d+)%/.exec(l)![1]));
    expect(pcts.every((p) => p % 5 === 0)).toBe(true);
    expect(pcts).toEqual([...pcts].sort((a, b) => a - b));
    expect(pcts.at(-1)).toBe(100);
    // every line from 5% of the work on (and five seconds in) says the speed; the time left while not done
    for (const [i, line] of steps.entries()) {
      if (pcts[i] === 100) expect(line).toMatch(new RegExp(`^100% of ${total}s, \\d+(\\.\\d)?x realtime$`));
      else if (pcts[i] >= 5) expect(line).toMatch(new RegExp(`^${pcts[i]}% of ${total}s, \\d+(\\.\\d)?x realtime(, about \\d+ (s|min) left)?$`));
      else expect(line).toMatch(new RegExp(`^${pcts[i]}% of ${total}s(, \\d+(\\.\\d)?x realtime(, about \\d+ (s|min) left)?)?$`));
    }
    expect(steps.some((l) => / left$/.test(l)), steps.join('\n')).toBe(true);
    expect(lines.at(-1)).toBe(`rendered ${total}s`);
  });
});
