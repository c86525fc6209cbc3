import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStory, getStoryDetail } from '../../src/db/stories.js';
import { PermanentError } from '../../src/errors.js';
import { buildStoryRun } from '../../src/run-story.js';
import type { Db } from '../../src/db/types.js';
import { runWorker } from '../../src/queue/worker.js';
import { retryStory } from '../../src/retry.js';
import { PIPELINE, type Pipeline, type Stage } from '../../src/stages/index.js';
import { createStory } from '../../src/stories.js';
import { BACKENDS, freshDb } from '../helpers/db.js';
import { waitFor } from '../helpers/cli.js';
import { testConfig, testServices } from '../helpers/services.js';

/**
 * Workers run the stages of one story side by side where their needs allow (the real pipeline's needs,
 * stages that only record): the stills wait, inside their stage, until the narration is recorded
 * and its subtitles are made, which the stage order of old (narration after every still) never let happen.
 */
function overlappingPipeline() {
  const events: string[] = [];
  const statuses: string[] = [];
  let narrated: () => void = () => {};
  const narration = new Promise<void>((resolve) => (narrated = resolve));
  const pipeline: Pipeline = PIPELINE.map(
    (real): Stage => ({
      type: real.type,
      status: real.status,
      title: real.title,
      needs: real.needs,
      async run(story, ctx) {
        events.push(`${real.type} started`);
        if (real.type === 'generate_images') {
          await narration;
          // the narration is done, the stills are not: the status is still the stills'
          statuses.push((await getStory(ctx.db, story.id))!.status);
        }
        if (real.type === 'generate_subtitles') narrated();
        events.push(`${real.type} finished`);
      },
      async reset() {
        events.push(`${real.type} reset`);
      },
    }),
  );
  return { pipeline, events, statuses };
}

describe.each(BACKENDS)('overlapping stages on %s', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await freshDb(backend));
  });
  afterAll(async () => cleanup());

  it('a worker records the narration while the stills are drawn; metadata waits for both; retry --from redoes what needs the stage', { timeout: 60_000 }, async () => {
    const services = testServices(db, testConfig({ queue: { pollSeconds: 0.05 } }));
    const { pipeline, events, statuses } = overlappingPipeline();
    const s = await createStory(services, pipeline, { topic: 'Side by side', language: 'en-US', approval: false });
    const work = () => runWorker(services, { concurrency: 2, once: true, name: 'w', pipeline, stop: new AbortController().signal });
    await work();
    expect((await getStory(db, s.id))!.status).toBe('published');
    const at = (e: string) => events.indexOf(e);
    expect(at('generate_audio finished')).toBeLessThan(at('generate_images finished'));
    expect(at('generate_subtitles finished')).toBeLessThan(at('generate_images finished'));
    expect(statuses).toEqual(['generating_images']);
    expect(at('generate_metadata started')).toBeGreaterThan(at('generate_images finished'));
    expect(at('render_video started')).toBeGreaterThan(Math.max(at('generate_metadata finished'), at('generate_subtitles finished')));

    // the stills are kept when the narration is redone; what reads the narration is redone with it
    events.length = 0;
    expect((await retryStory(services, pipeline, s.id, 'generate_audio')).stage).toBe('generate_audio');
    expect((await getStory(db, s.id))!.status).toBe('generating_audio');
    await work();
    expect((await getStory(db, s.id))!.status).toBe('published');
    const redone = ['generate_audio', 'generate_subtitles', 'generate_metadata', 'render_video', 'upload_youtube'];
    expect(events.filter((e) => e.endsWith('reset'))).toEqual(redone.map((t) => `${t} reset`));
    expect(events.filter((e) => e.endsWith('started'))).toEqual(redone.map((t) => `${t} started`));
  });

  it('run: a stage that gives up fails the story once the stage beside it has finished its job, which keeps its work but queues nothing', async () => {
    const services = testServices(db, testConfig({ queue: { pollSeconds: 0.05 } }));
    const pipeline: Pipeline = PIPELINE.map((real): Stage => ({
      type: real.type,
      status: real.status,
      title: real.title,
      needs: real.needs,
      async run(story, ctx) {
        // the stills are still being drawn when the narration gives up
        if (real.type === 'generate_images') await waitFor(async () => (await getStory(ctx.db, story.id))!.status === 'failed', 30_000, 'the story to fail');
        if (real.type === 'generate_audio') {
          const drawing = async () => (await ctx.db.query("select 1 from jobs where story_id = $1 and type = 'generate_images' and status = 'processing'", [story.id])).length > 0;
          await waitFor(drawing, 30_000, 'the stills to be drawn');
          throw new PermanentError('voice does not exist');
        }
      },
      async reset() {},
    }));
    const s = await createStory(services, pipeline, { topic: 'One gives up', language: 'en-US', approval: false });
    const run = buildStoryRun(services, pipeline, s.id, { worker: 'run', stop: new AbortController().signal, renderer: 'silent' });
    await expect(run.run()).rejects.toThrow(/story failed: generate_audio: voice does not exist/);
    const d = (await getStoryDetail(db, s.id))!;
    expect([d.status, d.error_message]).toEqual(['failed', 'generate_audio: voice does not exist']);
    // run reported the failure after the stills' job ended: they finished and count, the story stays failed, nothing more was queued
    expect(d.jobs.map((j) => [j.type, j.status])).toEqual([
      ['generate_script', 'completed'],
      ['generate_images', 'completed'],
      ['generate_audio', 'failed'],
    ]);
    // retry resumes the narration only
    expect((await retryStory(services, pipeline, s.id)).stage).toBe('generate_audio');
  });
});
