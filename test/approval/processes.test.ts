import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { approveStory } from '../../src/approval/index.js';
import { connectPostgres } from '../../src/db/postgres.js';
import { migrate } from '../../src/db/migrate.js';
import type { Db } from '../../src/db/types.js';
import { silentLogger } from '../../src/log.js';
import { PIPELINE } from '../../src/stages/index.js';
import { createStory } from '../../src/stories.js';
import { type Child, reapChildren, startChild } from '../helpers/children.js';
import { waitFor } from '../helpers/cli.js';
import { createDatabase } from '../helpers/db.js';
import { testServices } from '../helpers/services.js';
import { jobsOf } from './helpers.js';

/** A held upload against real worker processes (the runWorker of `run-worker`, all job types) on PostgreSQL. */

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/trivial-worker.mjs');

describe('a held upload and worker processes', () => {
  let created: Awaited<ReturnType<typeof createDatabase>>;
  let db: Db;

  beforeAll(async () => {
    created = await createDatabase('approval');
    db = await connectPostgres(created.url, { poolSize: 4, logger: silentLogger });
    await migrate(db);
    await db.exec('create table stage_runs (story_id uuid, type text, worker text, at timestamptz default now())');
  });
  afterEach(() => reapChildren());
  afterAll(async () => {
    await db.close();
    await created.drop();
  });

  const startWorker = (name: string): Child =>
    startChild(process.execPath, [FIXTURE], { env: { ...process.env, DATABASE_URL: created.url, WORKER_NAME: name, STAGE_MS: '20', LEASE_SECONDS: '1', POLL_SECONDS: '0.2' } });
  const statusOf = async (id: string) => (await db.query<{ status: string }>('select status from stories where id = $1', [id]))[0].status;
  const ran = async (id: string, type: string) => (await db.query('select 1 from stage_runs where story_id = $1 and type = $2', [id, type])).length;

  it('is not claimed by a worker of all types, outlives its restart and every lease, and is published after approve', async () => {
    const services = testServices(db);
    const gated = await createStory(services, PIPELINE, { topic: 'Gated', approval: true });
    const first = startWorker('p1');
    await waitFor(async () => (await jobsOf(db, gated.id)).some((j) => j.type === 'upload_youtube'), 120_000, 'the upload job');
    expect((await jobsOf(db, gated.id)).at(-1)).toMatchObject({ status: 'queued', held: 'awaiting approval', attempts: 0, run_infinite: true });
    expect(await ran(gated.id, 'render_video')).toBe(1);

    // the worker goes on claiming: an ungated story created now is published past the held job
    const plain = await createStory(services, PIPELINE, { topic: 'Plain' });
    await waitFor(async () => (await statusOf(plain.id)) === 'published', 120_000, 'the ungated story');
    first.kill('SIGTERM');
    expect((await first.closed).code).toBe(0);

    // every lease runs out; a new worker process starts and works another story through
    await db.query("update jobs set locked_until = now() - interval '1 hour'");
    const second = startWorker('p2');
    const later = await createStory(services, PIPELINE, { topic: 'Later' });
    await waitFor(async () => (await statusOf(later.id)) === 'published', 120_000, 'the story after the restart');
    expect(await ran(gated.id, 'upload_youtube')).toBe(0);
    expect(await statusOf(gated.id)).toBe('uploading');
    expect((await jobsOf(db, gated.id)).at(-1)).toMatchObject({ status: 'queued', held: 'awaiting approval', attempts: 0, locked_by: null });

    await approveStory(services, gated.id);
    await waitFor(async () => (await statusOf(gated.id)) === 'published', 120_000, 'the approved story');
    expect(await ran(gated.id, 'upload_youtube')).toBe(1);
    expect((await jobsOf(db, gated.id)).at(-1)).toMatchObject({ status: 'completed', attempts: 1, locked_by: 'p2' });
    second.kill('SIGTERM');
    expect((await second.closed).code).toBe(0);
  });
});
