import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/types.js';
import { buildApp } from '../../src/server/app.js';
import { BACKENDS, freshDb } from '../helpers/db.js';
import { testConfig, testServices } from '../helpers/services.js';
import { jobsOf, recordingPipeline, workOnce } from './helpers.js';

/** The approval gate's three routes, in-process over the real app on PGlite and PostgreSQL. */

const KEY = 'k-approval-5d1e';

describe.each(BACKENDS)('the approval API on %s', (kind) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ db, cleanup } = await freshDb(kind)));
  afterAll(() => cleanup());

  it('review, approve and reject a held story; errors in the documented shape; OpenAPI entries that validate', async () => {
    const services = testServices(db, testConfig({ youtube: { schedule: { days: ['wed'], time: '18:30', timezone: 'Europe/Berlin' } } }));
    const { pipeline, runs } = recordingPipeline();
    const app = await buildApp(services, { keys: [KEY], rateLimit: { max: 50, windowSeconds: 60 }, pipeline });
    const auth = { authorization: `Bearer ${KEY}` };
    const post = (url: string, payload?: object) => app.inject({ method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });

    const created = await post('/stories', { topic: 'Held by the API', approval: true });
    expect(created.statusCode).toBe(201);
    const id: string = created.json().story_id;
    expect((await post(`/stories/${id}/approve`)).json()).toEqual({ error: { code: 'conflict', message: `story ${id} is pending, not awaiting approval: nothing to approve` } });
    await workOnce(services, pipeline);

    const review = await app.inject({ method: 'GET', url: `/stories/${id.slice(0, 8)}/review`, headers: auth });
    expect(review.statusCode).toBe(200);
    expect(review.json()).toMatchObject({ story_id: id, status: 'uploading', approval: true, publisher: 'folder', history: [], checks: { render: 'not rendered' } });
    expect(Date.parse(review.json().awaiting_approval_since)).toBeLessThanOrEqual(Date.now());
    expect((await app.inject({ method: 'GET', url: `/stories/${id}`, headers: auth })).json().jobs.at(-1)).toMatchObject({ type: 'upload_youtube', held: 'awaiting approval', run_at: null });

    const badStage = await post(`/stories/${id}/reject`, { from: 'upload_youtube' });
    expect(badStage.statusCode).toBe(400);
    expect(badStage.json().error.code).toBe('invalid_request');
    const noFrom = await post(`/stories/${id}/reject`, { note: 'x' });
    expect(noFrom.statusCode).toBe(400);
    expect(noFrom.json().error.message).toMatch(/give from/);
    const rejected = await post(`/stories/${id}/reject`, { from: 'render_video', note: 'the end card is cut off' });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toEqual({ story_id: id, stage: 'render_video' });
    await workOnce(services, pipeline);
    expect(runs.filter((r) => r.type === 'render_video')).toHaveLength(2);
    expect((await app.inject({ method: 'GET', url: `/stories/${id}/review`, headers: auth })).json().history).toMatchObject([{ kind: 'rejected', stage: 'render_video', note: 'the end card is cut off' }]);

    const approved = await post(`/stories/${id}/approve`, { note: 'fine now' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ story_id: id, job_id: (await jobsOf(db, id)).at(-1)!.id });
    const slot = new Date(approved.json().slot);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(slot)).toBe('Wed 18:30');
    expect((await post(`/stories/${id}/approve`)).statusCode).toBe(409);
    await workOnce(services, pipeline);
    expect((await app.inject({ method: 'GET', url: `/stories/${id}`, headers: auth })).json().status).toBe('published');

    const unknown = await post('/stories/00000000-0000-4000-8000-000000000000/approve');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
    expect((await app.inject({ method: 'POST', url: `/stories/${id}/approve` })).statusCode).toBe(401);

    const doc = (await app.inject({ method: 'GET', url: '/openapi.json', headers: auth })).json();
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/stories/{story_id}/review', '/stories/{story_id}/approve', '/stories/{story_id}/reject']));
    expect(doc.paths['/stories/{story_id}/reject'].post.requestBody.content['application/json'].schema).toMatchObject({ required: ['from'] });
    expect(Object.keys(doc.paths['/stories/{story_id}/approve'].post.responses).sort()).toEqual(['200', '400', '401', '404', '409']);
    await app.close();
  });
});
