import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getStory, getStoryDetail } from '../../src/db/stories.js';
import type { Db } from '../../src/db/types.js';
import { PermanentError, RetryableError } from '../../src/errors.js';
import { executeJob } from '../../src/queue/execute.js';
import * as q from '../../src/queue/jobs.js';
import { runWorker } from '../../src/queue/worker.js';
import { retryStory } from '../../src/retry.js';
import { createStory } from '../../src/stories.js';
import type { Job } from '../../src/types.js';
import { waitFor } from '../helpers/cli.js';
import { BACKENDS, freshDb } from '../helpers/db.js';
import { testConfig, testServices, trivialPipeline } from '../helpers/services.js';

const settings = { maxAttempts: 3, leaseSeconds: 30, backoffBaseSeconds: 5, backoffMaxSeconds: 600 };

describe.each(BACKENDS)('queue on %s', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await freshDb(backend));
  });
  afterAll(async () => cleanup());
  beforeEach(async () => {
    await db.query('truncate stories, jobs, scenes, assets restart identity cascade');
  });

  const story = async (topic = 'The Antikythera Mechanism') => {
    const { pipeline } = trivialPipeline();
    return createStory(testServices(db), pipeline, { topic, language: 'en-US' });
  };
  const jobsOf = (id: string) => db.query<Job>('select * from jobs where story_id = $1 order by id', [id]);
  const expireLease = (jobId: number) => db.query("update jobs set locked_until = now() - interval '1 second' where id = $1", [jobId]);

  it('creates a pending story with one queued generate_script job', async () => {
    const s = await story();
    expect(s.status).toBe('pending');
    const jobs = await jobsOf(s.id);
    expect(jobs.map((j) => [j.type, j.status, j.attempts])).toEqual([['generate_script', 'queued', 0]]);
  });

  it('keeps at most one active job per story and type', async () => {
    const s = await story();
    expect(await q.enqueue(db, s.id, 'generate_script', 3)).toBeNull();
    expect(await jobsOf(s.id)).toHaveLength(1);
    const job = (await q.claim(db, 'w1', null, 30))!;
    expect(await q.enqueue(db, s.id, 'generate_script', 3)).toBeNull();
    await q.complete(db, job, 'w1', { status: 'generating_images', type: 'generate_images' }, 3);
    // finished jobs do not block a new one of the same type
    expect(await q.enqueue(db, s.id, 'generate_script', 3)).toBeTypeOf('number');
  });

  it('claims the oldest runnable job, counts the attempt and sets the lease', async () => {
    const a = await story('A');
    const b = await story('B');
    const first = (await q.claim(db, 'w1', null, 30))!;
    const second = (await q.claim(db, 'w2', null, 30))!;
    expect([first.story_id, second.story_id]).toEqual([a.id, b.id]);
    expect(first.status).toBe('processing');
    expect(first.attempts).toBe(1);
    expect(first.locked_by).toBe('w1');
    expect(first.locked_until!.getTime()).toBeGreaterThan(Date.now() + 20_000);
    expect(await q.claim(db, 'w3', null, 30)).toBeNull();
  });

  it('claims only the requested types and story', async () => {
    const a = await story('A');
    expect(await q.claim(db, 'w', ['render_video'], 30)).toBeNull();
    const other = await story('B');
    const j = (await q.claim(db, 'w', ['generate_script'], 30, other.id))!;
    expect(j.story_id).toBe(other.id);
    expect((await q.claim(db, 'w', ['generate_script'], 30))!.story_id).toBe(a.id);
  });

  it('completes only for the owner, moving the story on and enqueuing the next stage', async () => {
    const s = await story();
    const job = (await q.claim(db, 'w1', null, 30))!;
    expect(await q.complete(db, job, 'intruder', { status: 'generating_images', type: 'generate_images' }, 3)).toBe(false);
    expect(await q.complete(db, { ...job, attempts: 2 }, 'w1', { status: 'generating_images', type: 'generate_images' }, 3)).toBe(false);
    expect(await q.complete(db, job, 'w1', { status: 'generating_images', type: 'generate_images' }, 3)).toBe(true);
    expect((await getStory(db, s.id))!.status).toBe('generating_images');
    const jobs = await jobsOf(s.id);
    expect(jobs.map((j) => [j.type, j.status])).toEqual([
      ['generate_script', 'completed'],
      ['generate_images', 'queued'],
    ]);
  });

  it('reclaims a job whose lease ran out; the first worker can then neither heartbeat nor complete', async () => {
    await story();
    const first = (await q.claim(db, 'w1', null, 30))!;
    expect(await q.claim(db, 'w2', null, 30)).toBeNull();
    await expireLease(first.id);
    const again = (await q.claim(db, 'w2', null, 30))!;
    expect(again.id).toBe(first.id);
    expect(again.attempts).toBe(2);
    expect(await q.heartbeat(db, first, 'w1', 30)).toBe(false);
    expect(await q.complete(db, first, 'w1', { status: 'generating_images', type: 'generate_images' }, 3)).toBe(false);
    expect(await q.fail(db, first, 'w1', 'late', false, settings)).toBe('lost');
    expect(await q.heartbeat(db, again, 'w2', 30)).toBe(true);
  });

  it('fails a job (and its story) whose worker died on every attempt', async () => {
    const s = await story();
    for (let i = 0; i < 3; i++) {
      const j = (await q.claim(db, `w${i}`, null, 30))!;
      expect(j.attempts).toBe(i + 1);
      await expireLease(j.id);
    }
    expect(await q.claim(db, 'w9', null, 30)).toBeNull();
    const [job] = await jobsOf(s.id);
    expect(job.status).toBe('failed');
    expect(job.last_error).toMatch(/stopped responding 3 time/);
    const st = (await getStory(db, s.id))!;
    expect(st.status).toBe('failed');
    expect(st.error_message).toMatch(/^generate_script: /);
  });

  it('retries with exponential, jittered backoff, then fails the story after max attempts', async () => {
    const s = await story();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      await db.query('update jobs set run_at = now() where story_id = $1', [s.id]);
      const j = (await q.claim(db, 'w', null, 30))!;
      expect(j.attempts).toBe(attempt);
      const outcome = await q.fail(db, j, 'w', `boom ${attempt}`, false, settings);
      const [row] = await jobsOf(s.id);
      if (attempt < 3) {
        expect(outcome).toBe('retry');
        expect(row.status).toBe('queued');
        // the delay as the database set it (run_at and updated_at come from one now()), whatever the test's own pace
        delays.push((row.run_at!.getTime() - row.updated_at.getTime()) / 1000);
      } else {
        expect(outcome).toBe('failed');
        expect(row.status).toBe('failed');
        expect(row.last_error).toBe('boom 3');
      }
    }
    // base 5 s, doubled, ±25 % jitter
    expect(delays[0]).toBeGreaterThan(3.5);
    expect(delays[0]).toBeLessThan(6.5);
    expect(delays[1]).toBeGreaterThan(7.4);
    expect(delays[1]).toBeLessThan(12.6);
    expect((await getStory(db, s.id))!.error_message).toBe('generate_script: boom 3');
  });

  it('fails at once on a permanent error and honours Retry-After on a retryable one', async () => {
    const s = await story();
    const j = (await q.claim(db, 'w', null, 30))!;
    expect(await q.fail(db, j, 'w', 'later', false, settings, 120)).toBe('retry');
    const [row] = await jobsOf(s.id);
    expect((row.run_at!.getTime() - row.updated_at.getTime()) / 1000).toBeCloseTo(120, 2);
    await db.query('update jobs set run_at = now()');
    const j2 = (await q.claim(db, 'w', null, 30))!;
    expect(await q.fail(db, j2, 'w', 'bad input', true, settings)).toBe('failed');
    expect((await jobsOf(s.id))[0].attempts).toBe(2);
  });

  it('hands a job back without spending an attempt', async () => {
    const s = await story();
    const j = (await q.claim(db, 'w', null, 30))!;
    expect(await q.release(db, j, 'w')).toBe(true);
    const [row] = await jobsOf(s.id);
    expect([row.status, row.attempts]).toEqual(['queued', 0]);
    expect((await q.claim(db, 'w2', null, 30))!.attempts).toBe(1);
  });

  it('wakes a listener on enqueue', async () => {
    const got: string[] = [];
    const stop = await db.listen(q.JOBS_CHANNEL, (p) => got.push(p));
    const s = await story();
    await waitFor(() => got.length > 0, 60_000, 'the notification');
    await stop();
    expect(got.map((p) => JSON.parse(p).type)).toEqual(['generate_script']);
    expect(s.id).toBeTruthy();
  });

  it('a worker drives stories through every stage to published, each stage once', async () => {
    const { pipeline, calls } = trivialPipeline();
    const services = testServices(db, testConfig({ queue: { pollSeconds: 0.05 } }));
    const a = await createStory(services, pipeline, { topic: 'A' });
    const b = await createStory(services, pipeline, { topic: 'B' });
    const summary = await runWorker(services, { concurrency: 2, once: true, name: 'w', pipeline, stop: new AbortController().signal });
    expect(summary.completed).toBe(14);
    for (const s of [a, b]) {
      const d = (await getStoryDetail(db, s.id))!;
      expect(d.status).toBe('published');
      expect(d.jobs.map((j) => j.type)).toEqual(pipeline.map((p) => p.type));
      expect(d.jobs.every((j) => j.status === 'completed' && j.attempts === 1 && j.locked_by === 'w')).toBe(true);
      expect(calls.filter((c) => c.storyId === s.id && c.finished)).toHaveLength(7);
    }
  });

  it('a worker of some types leaves the other stages queued', async () => {
    const { pipeline } = trivialPipeline();
    const services = testServices(db, testConfig({ queue: { pollSeconds: 0.05 } }));
    const s = await createStory(services, pipeline, { topic: 'A' });
    await runWorker(services, { types: ['generate_script', 'generate_images'], concurrency: 1, once: true, name: 'w', pipeline, stop: new AbortController().signal });
    const d = (await getStoryDetail(db, s.id))!;
    expect(d.status).toBe('generating_audio');
    expect(d.jobs.map((j) => [j.type, j.status])).toEqual([
      ['generate_script', 'completed'],
      ['generate_images', 'completed'],
      ['generate_audio', 'queued'],
    ]);
  });

  it('a stage error is retried; a permanent one fails the story with its message', async () => {
    const { pipeline } = trivialPipeline({
      behave: (type, n) => {
        if (type === 'generate_images' && n === 1) return new RetryableError('image service busy', 0);
        if (type === 'generate_audio') return new PermanentError('voice does not exist');
      },
    });
    const services = testServices(db, testConfig({ queue: { pollSeconds: 0.05 } }));
    const s = await createStory(services, pipeline, { topic: 'A' });
    await runWorker(services, { concurrency: 1, once: true, name: 'w', pipeline, stop: new AbortController().signal });
    const d = (await getStoryDetail(db, s.id))!;
    expect(d.status).toBe('failed');
    expect(d.error_message).toBe('generate_audio: voice does not exist');
    const images = d.jobs.find((j) => j.type === 'generate_images')!;
    expect([images.status, images.attempts, images.last_error]).toEqual(['completed', 2, 'image service busy']);
    const audio = d.jobs.find((j) => j.type === 'generate_audio')!;
    expect([audio.status, audio.attempts]).toEqual(['failed', 1]);

    // a later stage cannot be skipped to
    await expect(retryStory(services, pipeline, s.id, 'render_video')).rejects.toThrow(/generate_audio has not finished yet; use --from generate_audio/);
    // retry resumes at the failed stage without redoing the earlier ones
    const { pipeline: healed, calls } = trivialPipeline();
    const again = await retryStory(testServices(db, services.config), healed, s.id);
    expect(again.stage).toBe('generate_audio');
    await expect(retryStory(services, healed, s.id)).rejects.toThrow(/already has job \d+ \(generate_audio\) queued/);
    await runWorker(testServices(db, services.config), { concurrency: 1, once: true, name: 'w', pipeline: healed, stop: new AbortController().signal });
    expect((await getStory(db, s.id))!.status).toBe('published');
    expect(calls.map((c) => c.type)).toEqual(['generate_audio', 'generate_subtitles', 'generate_metadata', 'render_video', 'upload_youtube']);
  });

  it('a worker that loses its lease aborts the stage and records nothing', async () => {
    const { pipeline, calls } = trivialPipeline({ ms: 120_000 });
    const services = testServices(db, testConfig({ queue: { leaseSeconds: 1 } }));
    const s = await createStory(services, pipeline, { topic: 'A' });
    const job = (await q.claim(db, 'w1', null, 1))!;
    const running = executeJob(services, job, { worker: 'w1', pipeline });
    // another worker takes the job over (as after an expired lease)
    await db.query("update jobs set locked_by = 'w2', attempts = attempts + 1 where id = $1", [job.id]);
    const result = await running;
    expect(result.outcome).toBe('lost');
    expect(calls[0].aborted).toBe(true);
    const [row] = await jobsOf(s.id);
    expect([row.status, row.locked_by]).toEqual(['processing', 'w2']);
    expect(await jobsOf(s.id)).toHaveLength(1);
  });

  it('a worker cut off from the database gives the job up when its lease runs out', async () => {
    const { pipeline, calls } = trivialPipeline({ ms: 120_000 });
    // heartbeats hang, as over a dead connection; everything else works
    const cutOff: Db = { ...db, query: (text, values) => (text.includes('la_heartbeat') ? new Promise(() => {}) : db.query(text, values)) };
    const services = testServices(cutOff, testConfig({ queue: { leaseSeconds: 1 } }));
    await createStory(services, pipeline, { topic: 'A' });
    const job = (await q.claim(db, 'w1', null, 1))!;
    const t0 = Date.now();
    const result = await executeJob(services, job, { worker: 'w1', pipeline });
    expect(result.outcome).toBe('lost');
    expect(calls[0].aborted).toBe(true);
    // it gave up at the 1 s lease, not after the 120 s stage (the bound leaves room for a busy machine)
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  it('retry --from clears later stages and re-runs from there', async () => {
    const { pipeline } = trivialPipeline();
    const services = testServices(db, testConfig({ queue: { pollSeconds: 0.05 } }));
    const s = await createStory(services, pipeline, { topic: 'A' });
    await runWorker(services, { concurrency: 1, once: true, name: 'w', pipeline, stop: new AbortController().signal });
    await expect(retryStory(services, pipeline, s.id)).rejects.toThrow(/is published, not failed/);
    await expect(retryStory(services, pipeline, s.id, 'make_coffee')).rejects.toThrow(/unknown stage "make_coffee"/);
    const r = await retryStory(services, pipeline, s.id.slice(0, 8), 'render_video');
    expect(r.story.status).toBe('rendering');
    await runWorker(services, { concurrency: 1, once: true, name: 'w', pipeline, stop: new AbortController().signal });
    const d = (await getStoryDetail(db, s.id))!;
    expect(d.status).toBe('published');
    expect(d.jobs.filter((j) => j.type === 'render_video').map((j) => j.status)).toEqual(['completed', 'completed']);
    expect(d.jobs.filter((j) => j.type === 'generate_script')).toHaveLength(1);
  });
});
