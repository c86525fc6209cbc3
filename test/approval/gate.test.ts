import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveStory, listEvents, rejectStory } from '../../src/approval/index.js';
import type { Db } from '../../src/db/types.js';
import { ConflictError, UsageError } from '../../src/errors.js';
import { claim } from '../../src/queue/jobs.js';
import { JOB_TYPES } from '../../src/stages/index.js';
import { buildReview } from '../../src/review/index.js';
import { printReview } from '../../src/review/print.js';
import { retryStory } from '../../src/retry.js';
import { createStory, storyDetail } from '../../src/stories.js';
import { BACKENDS, freshDb } from '../helpers/db.js';
import { testConfig, testServices } from '../helpers/services.js';
import { jobsOf, recordingPipeline, workOnce } from './helpers.js';

/** The approval gate on the queue, on PGlite and PostgreSQL: held after the render, approve, reject. */

describe.each(BACKENDS)('approval gate on %s', (kind) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ db, cleanup } = await freshDb(kind)));
  afterAll(() => cleanup());

  it('a gated story stops after the render; no worker claims the held upload, through a restart and expired leases; approve publishes it', async () => {
    const services = testServices(db, testConfig({ queue: { leaseSeconds: 1 } }));
    const { pipeline, runs } = recordingPipeline();
    const story = await createStory(services, pipeline, { topic: 'Gated', approval: true });
    await workOnce(services, pipeline, 'w1');
    expect(runs.filter((r) => r.storyId === story.id).map((r) => r.type)).toEqual(JOB_TYPES.slice(0, -1));
    let upload = (await jobsOf(db, story.id)).at(-1)!;
    expect(upload).toMatchObject({ type: 'upload_youtube', status: 'queued', held: 'awaiting approval', attempts: 0, locked_by: null, run_infinite: true });
    expect((await storyDetail(db, story.id)).status).toBe('uploading');
    await expect(retryStory(services, pipeline, story.id, 'render_video')).rejects.toThrow(/is awaiting approval: `lost-archives approve/);

    // every lease in the table runs out, then a worker for all types starts again (and a direct claim)
    await db.query("update jobs set locked_until = now() - interval '1 hour'");
    expect(await claim(db, 'w2', JOB_TYPES, 1)).toBeNull();
    const again = await workOnce(services, pipeline, 'w2');
    expect(again.completed + again.failed + again.retried + again.lost).toBe(0);
    upload = (await jobsOf(db, story.id)).at(-1)!;
    expect(upload).toMatchObject({ status: 'queued', held: 'awaiting approval', attempts: 0, run_infinite: true });

    const review = await buildReview(services, story.id.slice(0, 8));
    expect(review.awaiting_approval_since).toBeInstanceOf(Date);
    expect(printReview(review)).toMatch(/awaiting approval for \d+s/);

    const approved = await approveStory(services, story.id, 'looks right');
    expect(approved).toMatchObject({ story_id: story.id, job_id: upload.id, slot: null });
    await expect(approveStory(services, story.id)).rejects.toThrow(ConflictError);
    await workOnce(services, pipeline, 'w3');
    expect(runs.filter((r) => r.storyId === story.id && r.type === 'upload_youtube')).toHaveLength(1);
    expect((await storyDetail(db, story.id)).status).toBe('published');
    expect((await listEvents(db, story.id)).map((e) => [e.kind, e.note])).toEqual([['approved', 'looks right']]);
  });

  it('reject --from generate_images redoes that stage and the ones that need it only (the narration is kept), keeps the note, and holds the upload again', async () => {
    const services = testServices(db);
    const { pipeline, runs } = recordingPipeline();
    const story = await createStory(services, pipeline, { topic: 'Rejected once', approval: true });
    await workOnce(services, pipeline);
    runs.splice(0);
    await expect(rejectStory(services, pipeline, story.id, 'upload_youtube')).rejects.toThrow(UsageError);
    await expect(rejectStory(services, pipeline, story.id, 'no_such_stage')).rejects.toThrow(/unknown stage/);
    expect(await rejectStory(services, pipeline, story.id, 'generate_images', 'stills too dark')).toEqual({ story_id: story.id, stage: 'generate_images' });
    await expect(rejectStory(services, pipeline, story.id, 'generate_images')).rejects.toThrow(ConflictError);
    await workOnce(services, pipeline);
    expect(runs.map((r) => r.type)).toEqual(['generate_images', 'generate_metadata', 'render_video']);
    const jobs = await jobsOf(db, story.id);
    expect(jobs.filter((j) => j.type === 'upload_youtube').map((j) => [j.status, j.held])).toEqual([['failed', null], ['queued', 'awaiting approval']]);
    expect(jobs.filter((j) => j.type === 'generate_script')).toHaveLength(1);
    const review = await buildReview(services, story.id);
    expect(review.history.map((e) => [e.kind, e.stage, e.note])).toEqual([['rejected', 'generate_images', 'stills too dark']]);
    expect(printReview(review)).toContain('rejected (generate_images): stills too dark');
  });

  it('publish.approval gates new stories by default; --no-approval and an ungated config upload at once', async () => {
    const gatedConfig = testServices(db, testConfig({ publish: { approval: true } }));
    const { pipeline, runs } = recordingPipeline();
    const byDefault = await createStory(gatedConfig, pipeline, { topic: 'By default' });
    const optedOut = await createStory(gatedConfig, pipeline, { topic: 'Opted out', approval: false });
    const plain = await createStory(testServices(db), pipeline, { topic: 'Plain' });
    expect([byDefault.approval, optedOut.approval, plain.approval]).toEqual([true, false, false]);
    await workOnce(gatedConfig, pipeline);
    expect((await storyDetail(db, byDefault.id)).status).toBe('uploading');
    expect((await storyDetail(db, optedOut.id)).status).toBe('published');
    expect((await storyDetail(db, plain.id)).status).toBe('published');
    expect(runs.filter((r) => r.type === 'upload_youtube').map((r) => r.storyId).sort()).toEqual([optedOut.id, plain.id].sort());
    // a story that is not waiting cannot be approved or rejected
    await expect(approveStory(gatedConfig, plain.id)).rejects.toThrow(/is published, not awaiting approval/);
    await expect(rejectStory(gatedConfig, pipeline, plain.id, 'render_video')).rejects.toThrow(ConflictError);
  });

  it('retry --from upload_youtube of an approved, published gated story holds its new upload again', async () => {
    const services = testServices(db);
    const { pipeline } = recordingPipeline();
    const story = await createStory(services, pipeline, { topic: 'Redone', approval: true });
    await workOnce(services, pipeline);
    await approveStory(services, story.id);
    await workOnce(services, pipeline);
    await retryStory(services, pipeline, story.id, 'upload_youtube');
    expect((await jobsOf(db, story.id)).at(-1)).toMatchObject({ type: 'upload_youtube', held: 'awaiting approval' });
  });
});
