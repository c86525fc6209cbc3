import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '../../src/db/postgres.js';
import type { Db } from '../../src/db/types.js';
import { silentLogger } from '../../src/log.js';
import { migrate } from '../../src/db/migrate.js';
import { PIPELINE } from '../../src/stages/index.js';
import { createStory } from '../../src/stories.js';
import { type Child, reapChildren, startChild } from '../helpers/children.js';
import { runCli, waitFor } from '../helpers/cli.js';
import { createDatabase } from '../helpers/db.js';
import { startProxy } from '../helpers/proxy.js';
import { tempDir, testServices } from '../helpers/services.js';

/** Real worker processes on a real PostgreSQL: crashes, signals, killed connections, racing migrations. */

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/trivial-worker.mjs');

type Worker = Child & { log: () => string; exited: Promise<number | null> };

describe('worker processes on PostgreSQL', () => {
  let created: Awaited<ReturnType<typeof createDatabase>>;
  let db: Db;
  const children: Worker[] = [];

  beforeAll(async () => {
    created = await createDatabase();
    db = await connectPostgres(created.url, { poolSize: 4, logger: silentLogger });
    await migrate(db);
    await db.exec('create table stage_runs (story_id uuid, type text, worker text, at timestamptz default now())');
  });
  afterEach(async () => {
    await reapChildren();
    children.splice(0);
    await db.query('truncate stories, jobs, stage_runs restart identity cascade');
  });
  afterAll(async () => {
    await db.close();
    await created.drop();
  });

  function startWorker(name: string, env: Record<string, string> = {}): Worker {
    const child = startChild(process.execPath, [FIXTURE], { env: { ...process.env, DATABASE_URL: created.url, WORKER_NAME: name, ...env } });
    const w = Object.assign(child, { log: child.output, exited: child.closed.then((c) => c.code) });
    children.push(w);
    return w;
  }

  async function createStories(n: number): Promise<string[]> {
    const services = testServices(db);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await createStory(services, PIPELINE, { topic: `Story ${i}` })).id);
    return ids;
  }

  const countWhere = async (sql: string, values: unknown[] = []) => (await db.query<{ n: number }>(sql, values))[0].n;
  const published = () => countWhere("select count(*) as n from stories where status = 'published'");

  async function expectEachStageCompletedOnce(stories: number) {
    const perStage = await db.query<{ story_id: string; type: string; n: number }>(
      "select story_id, type, count(*) as n from jobs where status = 'completed' group by 1, 2",
    );
    expect(perStage).toHaveLength(stories * PIPELINE.length);
    expect(perStage.every((r) => r.n === 1)).toBe(true);
    expect(await countWhere("select count(*) as n from jobs where status <> 'completed'")).toBe(0);
  }

  it('several workers share the stories; one killed mid-job is reclaimed and every story is published', async () => {
    const ids = await createStories(24);
    const workers = ['w1', 'w2', 'w3'].map((n) => startWorker(n, { STAGE_MS: '150', LEASE_SECONDS: '2' }));
    const victim = workers[0];
    // kill w1 while it holds a job
    await waitFor(async () => (await countWhere("select count(*) as n from jobs where locked_by = 'w1' and status = 'processing'")) > 0, 120_000, 'w1 to hold a job');
    const held = await db.query<{ id: number }>("select id from jobs where locked_by = 'w1' and status = 'processing'");
    victim.kill('SIGKILL');
    await waitFor(async () => (await published()) === ids.length, 240_000, 'all stories published');
    await expectEachStageCompletedOnce(ids.length);
    // the jobs w1 held were finished by another worker on a later attempt
    const reclaimed = await db.query<{ attempts: number; locked_by: string; status: string }>('select attempts, locked_by, status from jobs where id = any ($1)', [held.map((h) => h.id)]);
    for (const r of reclaimed) {
      expect(r.status).toBe('completed');
      expect(r.attempts).toBe(2);
      expect(r.locked_by).not.toBe('w1');
    }
    // no stage ran to completion twice: one recorded run per (story, stage)
    expect(await countWhere('select count(*) as n from (select story_id, type from stage_runs group by 1, 2 having count(*) > 1) d')).toBe(0);
    expect(await countWhere('select count(*) as n from stage_runs')).toBe(ids.length * PIPELINE.length);
    const spread = await db.query<{ worker: string }>('select distinct worker from stage_runs');
    expect(spread.length).toBeGreaterThanOrEqual(2);
  }, 420_000);

  it('SIGTERM: a worker lets its job finish within the grace period and exits 0', async () => {
    await createStories(1);
    const w = startWorker('drain', { STAGE_MS: '1500', GRACE_SECONDS: '120', CONCURRENCY: '1' });
    await waitFor(() => w.log().includes('stage running'), 120_000, 'a stage to start');
    w.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(w.log()).not.toContain('job handed back');
    const jobs = await db.query<{ type: string; status: string }>('select type, status from jobs order by id');
    expect(jobs[0]).toEqual({ type: 'generate_script', status: 'completed' });
    // it claimed nothing after the signal: the next stages (the stills and, beside them, the narration) wait, queued
    expect(jobs.slice(1).sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      { type: 'generate_audio', status: 'queued' },
      { type: 'generate_images', status: 'queued' },
    ]);
  });

  it('SIGTERM: a job that outlasts the grace period is handed back, queued, with its attempt returned', async () => {
    await createStories(1);
    const w = startWorker('short-grace', { STAGE_MS: '600000', GRACE_SECONDS: '0.5', CONCURRENCY: '1' });
    await waitFor(() => w.log().includes('stage running'), 120_000, 'a stage to start');
    w.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(w.log()).toContain('job handed back to the queue');
    const [job] = await db.query<{ status: string; attempts: number; locked_until: Date | null }>('select status, attempts, locked_until from jobs');
    expect(job).toEqual({ status: 'queued', attempts: 0, locked_until: null });
    expect(await countWhere('select count(*) as n from stage_runs')).toBe(0);
  });

  it('workers survive their connections being killed (pg_terminate_backend) and finish every story', async () => {
    const ids = await createStories(12);
    startWorker('k1', { STAGE_MS: '100', LEASE_SECONDS: '5' });
    startWorker('k2', { STAGE_MS: '100', LEASE_SECONDS: '5' });
    const admin = new pg.Client({ connectionString: created.url });
    await admin.connect();
    try {
      await waitFor(async () => (await countWhere("select count(*) as n from jobs where status = 'completed'")) >= 10, 120_000, 'progress');
      for (let round = 0; round < 3; round++) {
        const killed = await admin.query<{ pid: number }>(
          "select pid, pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name like 'lost-archives%' and pid <> pg_backend_pid()",
        );
        expect(killed.rowCount).toBeGreaterThan(0);
        // the next round once the workers have connected again (new backends, not the dying ones)
        const gone = killed.rows.map((r) => r.pid);
        await waitFor(
          async () =>
            (await admin.query("select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name like 'lost-archives%' and not (pid = any ($1))", [gone])).rows[0].n > 0,
          120_000,
          'the workers to reconnect',
        );
      }
    } finally {
      await admin.end();
    }
    await waitFor(async () => (await published()) === ids.length, 240_000, 'all stories published after the kills');
    await expectEachStageCompletedOnce(ids.length);
    // listeners came back: a new story is picked up at once, without waiting for a long poll
    const w = children.find((c) => c.log().includes('listening again'));
    expect(w, 'a worker re-listened after losing its listening connection').toBeTruthy();
  }, 420_000);

  it('a worker cut off from the database mid-job: its lease runs out, another finishes the job, and when the network returns it changes nothing', async () => {
    const proxy = await startProxy('127.0.0.1', Number(new URL(created.url).port || 5432));
    try {
      const ids = await createStories(4);
      const cut = startWorker('cut', { DATABASE_URL: proxy.url(created.url), STAGE_MS: '3000', LEASE_SECONDS: '2', CONCURRENCY: '1' });
      await waitFor(async () => (await countWhere("select count(*) as n from jobs where locked_by = 'cut' and status = 'processing'")) > 0, 120_000, 'the worker to hold a job');
      const [held] = await db.query<{ id: number; story_id: string; type: string }>("select id, story_id, type from jobs where locked_by = 'cut' and status = 'processing'");
      proxy.cut();
      const other = startWorker('other', { STAGE_MS: '100', LEASE_SECONDS: '2' });
      await waitFor(async () => (await published()) === ids.length, 240_000, 'every story published by the other worker');
      // the cut-off worker stopped the stage itself when it could not renew its lease
      await waitFor(() => cut.log().includes('job abandoned'), 120_000, 'the cut-off worker to abandon its job');
      expect(cut.log()).toContain('lease ran out without a successful heartbeat');
      other.kill('SIGTERM');
      expect(await other.exited).toBe(0);
      const before = await db.query('select id, status, updated_at from stories order by id');

      // the network returns: the cut-off worker's held-back queries arrive, and it works again
      proxy.restore();
      const more = await createStories(2);
      await waitFor(async () => (await published()) === ids.length + more.length, 240_000, 'the returning worker to publish new stories');
      expect(await db.query('select id, status, updated_at from stories where id = any ($1) order by id', [ids])).toEqual(before);
      const job = (await db.query<{ status: string; locked_by: string; attempts: number }>('select status, locked_by, attempts from jobs where id = $1', [held.id]))[0];
      expect(job).toEqual({ status: 'completed', locked_by: 'other', attempts: 2 });
      expect(await countWhere("select count(*) as n from stage_runs where worker = 'cut' and story_id = $1 and type = $2", [held.story_id, held.type])).toBe(0);
      expect(await countWhere("select count(*) as n from stage_runs where worker = 'cut' and story_id = any ($1)", [more])).toBe(more.length * PIPELINE.length);
      // each stage's output exists once
      await expectEachStageCompletedOnce(ids.length + more.length);
      expect(await countWhere('select count(*) as n from (select story_id, type from stage_runs group by 1, 2 having count(*) > 1) d')).toBe(0);
      expect(await countWhere('select count(*) as n from stage_runs')).toBe((ids.length + more.length) * PIPELINE.length);
    } finally {
      await proxy.close();
    }
  }, 600_000);

  it('load: 200 stories through 6 worker processes, no job lost and none run to completion twice', async () => {
    const ids = await createStories(200);
    const t0 = Date.now();
    for (let i = 1; i <= 6; i++) startWorker(`load${i}`, { STAGE_MS: '0', LEASE_SECONDS: '30', CONCURRENCY: '4', LOG_LEVEL: 'warn' });
    await waitFor(async () => (await published()) === ids.length, 240_000, 'all 200 stories published');
    const seconds = (Date.now() - t0) / 1000;
    console.log(`load: ${ids.length} stories (${ids.length * PIPELINE.length} jobs) through 6 worker processes in ${seconds.toFixed(1)} s = ${((ids.length / seconds) * 60).toFixed(0)} stories per minute (start-up included)`);
    await expectEachStageCompletedOnce(ids.length);
    expect(await countWhere('select count(*) as n from (select story_id, type from stage_runs group by 1, 2 having count(*) > 1) d')).toBe(0);
    expect(await countWhere('select count(*) as n from stage_runs')).toBe(ids.length * PIPELINE.length);
    expect(await countWhere('select count(distinct worker) as n from stage_runs')).toBeGreaterThanOrEqual(2);
  }, 600_000);
});

describe('concurrent migrations', () => {
  it('four `db migrate` processes at once: all succeed, each migration applied once', async () => {
    const created = await createDatabase();
    try {
      const cwd = tempDir('la-mig-');
      const results = await Promise.all([1, 2, 3, 4].map(() => runCli(['db', 'migrate', '--json'], { cwd, env: { DATABASE_URL: created.url } })));
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const applied = results.map((r) => JSON.parse(r.stdout).applied.length);
      expect(applied.filter((n) => n > 0)).toHaveLength(1);
      const c = new pg.Client({ connectionString: created.url });
      await c.connect();
      const rows = await c.query('select name, count(*) from lost_archives_migrations group by 1');
      await c.end();
      expect(rows.rows.every((r) => Number(r.count) === 1)).toBe(true);
      expect(rows.rows.length).toBe(Math.max(...applied));
    } finally {
      await created.drop();
    }
  });
});
