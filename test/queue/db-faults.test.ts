import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { connectPostgres } from '../../src/db/postgres.js';
import type { Db } from '../../src/db/types.js';
import { silentLogger } from '../../src/log.js';
import { PIPELINE } from '../../src/stages/index.js';
import { createStory } from '../../src/stories.js';
import { type Child, startChild } from '../helpers/children.js';
import { waitFor } from '../helpers/cli.js';
import { type Cluster, postgresBinDir, startCluster } from '../helpers/cluster.js';
import { ADMIN_URL, urlFor } from '../helpers/db.js';
import { tempDir, testServices } from '../helpers/services.js';

/**
 * Real worker processes (test/fixtures/trivial-worker.mjs) against database faults: a role out of
 * connections (SQLSTATE 53300) on the shared server, and a whole server stopped and started again on a
 * throwaway cluster of this file's own.
 */

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/trivial-worker.mjs');

function startWorker(url: string, name: string, env: Record<string, string> = {}): Child {
  return startChild(process.execPath, [FIXTURE], { env: { ...process.env, DATABASE_URL: url, WORKER_NAME: name, ...env } });
}

/** Waits for `check`, failing at once (with its log) if the worker exits meanwhile. */
function whileAlive(worker: Child, check: () => boolean | Promise<boolean>, what: string, ms = 120_000) {
  return waitFor(
    async () => {
      if (worker.exitCode !== null) throw new Error(`the worker exited (code ${worker.exitCode}) while waiting for ${what}:\n${worker.output()}`);
      return check();
    },
    ms,
    what,
  );
}

async function setUp(db: Db): Promise<void> {
  await migrate(db);
  await db.exec('create table stage_runs (story_id uuid, type text, worker text, at timestamptz default now())');
}

async function addStories(db: Db, n: number): Promise<string[]> {
  const services = testServices(db);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await createStory(services, PIPELINE, { topic: `Story ${i}` })).id);
  return ids;
}

const count = async (db: Db, sql: string) => (await db.query<{ n: number }>(sql))[0].n;

describe('a role out of connections (SQLSTATE 53300)', () => {
  const role = `faults_${process.pid}_${Math.random().toString(36).slice(2, 6)}`;
  const dbName = `${role}_db`;
  let admin: pg.Client;
  let db: Db;
  const url = (() => {
    const u = new URL(urlFor(dbName));
    u.username = role;
    return u.toString();
  })();
  const limit = (n: number) => admin.query(`alter role ${role} connection limit ${n}`);

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`create role ${role} login`);
    await admin.query(`create database ${dbName} owner ${role}`);
    // the schema belongs to the role; the test itself reads as a superuser, whom no limit applies to
    const own = await connectPostgres(url, { poolSize: 1, logger: silentLogger });
    await setUp(own);
    await own.close();
    db = await connectPostgres(urlFor(dbName), { poolSize: 2, logger: silentLogger });
  });
  afterEach(async () => {
    await limit(-1);
    await db.query('truncate stories, jobs, stage_runs restart identity cascade');
  });
  afterAll(async () => {
    await db?.close();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.query(`drop role if exists ${role}`);
    await admin.end();
  });

  it('a running worker waits while no connection is free, stays alive, and finishes every story without spending attempts', async () => {
    await addStories(db, 3);
    const worker = startWorker(url, 'crowded', { STAGE_MS: '300', LEASE_SECONDS: '30', POLL_SECONDS: '0.2', CONCURRENCY: '2' });
    await whileAlive(worker, async () => (await count(db, 'select count(*) as n from stage_runs')) > 0, 'the first stage to finish');

    // no new connection for the role, and the ones it has are cut
    await limit(0);
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1', [role]);
    await whileAlive(worker, () => (worker.output().match(/too many connections/g) ?? []).length >= 4, 'the worker to meet 53300 several times', 180_000);
    expect(worker.output()).not.toMatch(/DATABASE_URL/);
    await limit(-1);

    await whileAlive(worker, async () => (await count(db, "select count(*) as n from stories where status = 'published'")) === 3, 'every story to publish', 180_000);
    const jobs = await db.query<{ status: string; attempts: number }>('select status, attempts from jobs');
    expect(jobs).toHaveLength(3 * PIPELINE.length);
    expect(jobs.every((j) => j.status === 'completed' && j.attempts === 1), JSON.stringify(jobs)).toBe(true);
    worker.kill('SIGTERM');
    expect((await worker.closed).code).toBe(0);
  });

  it('a worker that starts while no connection is free says so, waits, and starts when one is', async () => {
    await limit(0);
    const worker = startWorker(url, 'early', { STAGE_MS: '0', POLL_SECONDS: '0.2', CONCURRENCY: '1' });
    await whileAlive(worker, () => /the database has no free connection \(too many connections\); trying again/.test(worker.output()), 'the worker to report the full server');
    expect(worker.output()).not.toMatch(/DATABASE_URL/);
    await limit(-1);
    await whileAlive(worker, () => /worker started/.test(worker.output()), 'the worker to start');
    const [id] = await addStories(db, 1);
    await whileAlive(worker, async () => (await db.query<{ status: string }>('select status from stories where id = $1', [id]))[0].status === 'published', 'the story to publish', 60_000);
  });

  it('a worker that cannot LISTEN at start listens once a connection is free, and is woken by NOTIFY', async () => {
    // one connection: the worker's pool gets it, its listening connection does not
    await limit(1);
    // a poll of an hour: only a notification can wake this worker in time
    const worker = startWorker(url, 'late-listener', { STAGE_MS: '0', POLL_SECONDS: '3600', CONCURRENCY: '1' });
    await whileAlive(worker, () => /cannot LISTEN yet: the database has no free connection/.test(worker.output()), 'the worker to report it cannot LISTEN');
    await limit(-1);
    await whileAlive(worker, () => /listening again/.test(worker.output()), 'the worker to listen', 60_000);
    const [id] = await addStories(db, 1);
    await whileAlive(worker, async () => (await db.query<{ status: string }>('select status from stories where id = $1', [id]))[0].status === 'published', 'the story to publish', 60_000);
  });
});

const bin = postgresBinDir();

describe.skipIf(!bin)('a PostgreSQL server stopped and started mid-stage (a cluster of this file\'s own)', () => {
  if (!bin) console.warn('db-faults: PostgreSQL server programs (initdb, pg_ctl) not found; the outage test is skipped');
  let cluster: Cluster;
  let db: Db | null = null;

  beforeAll(async () => {
    cluster = await startCluster(bin!);
  });
  afterAll(async () => {
    await db?.close();
    cluster?.destroy();
  });

  it("a connection error inside a stage hands the job back without spending an attempt; the story publishes", async () => {
    const gate = path.join(tempDir('faults-gate-'), 'open');
    const url = cluster.url();
    db = await connectPostgres(url, { poolSize: 2, logger: silentLogger });
    await setUp(db);
    const [id] = await addStories(db, 1);
    const worker = startWorker(url, 'outage', { STAGE_MS: '0', LEASE_SECONDS: '60', POLL_SECONDS: '0.2', CONCURRENCY: '1', GATE_STAGE: 'render_video', GATE_FILE: gate });
    await whileAlive(worker, () => /stage waits for its gate/.test(worker.output()), 'the render to start');

    cluster.stop();
    // the stage's own statement now meets a stopped server
    fs.writeFileSync(gate, '');
    await whileAlive(worker, () => /ECONNREFUSED|Connection terminated/.test(worker.output().slice(worker.output().indexOf('stage waits for its gate'))), 'the stage to meet the outage');
    cluster.start();

    await whileAlive(worker, async () => {
      try {
        return (await db!.query<{ status: string }>('select status from stories where id = $1', [id]))[0].status === 'published';
      } catch {
        return false; // the test's own pool reconnects too
      }
    }, 'the story to publish', 180_000);
    expect(worker.output()).toMatch(/handed back/);
    const jobs = await db.query<{ type: string; status: string; attempts: number }>('select type, status, attempts from jobs order by id');
    expect(jobs).toEqual(PIPELINE.map((s) => ({ type: s.type, status: 'completed', attempts: 1 })));
    expect(await count(db, "select count(*) as n from stage_runs where type = 'render_video'")).toBe(1);
    worker.kill('SIGTERM');
    expect((await worker.closed).code).toBe(0);
  });
});
