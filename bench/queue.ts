/**
 * Queue benchmark on a local PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test;
 * a scratch database is created beside it and dropped afterwards).
 *
 * 1. Pick-up latency: an idle worker, a story is created, time until its first stage starts.
 *    With LISTEN/NOTIFY, and with polling only (poll every 0.5 s), p50 and p95.
 * 2. Throughput: N workers (each its own connection pool, as separate processes would have) moving
 *    trivial jobs, in jobs per second, and the scaling ratio against one worker.
 */
import pg from 'pg';
import { type LoadedConfig, parseConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { connectPostgres } from '../src/db/postgres.js';
import type { Db } from '../src/db/types.js';
import { silentLogger } from '../src/log.js';
import { runWorker } from '../src/queue/worker.js';
import { PIPELINE, type Pipeline } from '../src/stages/index.js';
import type { Services } from '../src/stages/types.js';
import { createStory } from '../src/stories.js';

const ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function config(queue: Record<string, unknown>): LoadedConfig {
  return { ...parseConfig({ queue }, 'bench'), source: null, baseDir: process.cwd() };
}

function services(db: Db, cfg: LoadedConfig): Services {
  return { config: cfg, db, logger: silentLogger } as unknown as Services;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

function trivial(onStart?: (storyId: string) => void): Pipeline {
  return PIPELINE.map((s) => ({ ...s, run: async (story) => onStart?.(story.id), reset: async () => {} }));
}

async function pickup(url: string, listen: boolean, rounds: number): Promise<number[]> {
  const workerDb = await connectPostgres(url, { poolSize: 4, logger: silentLogger });
  const clientDb = await connectPostgres(url, { poolSize: 2, logger: silentLogger });
  const started = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  const pipeline = trivial((id) => {
    if (started.has(id)) return;
    started.set(id, performance.now());
    waiting.get(id)?.();
  });
  const stop = new AbortController();
  const cfg = config({ listen, pollSeconds: 0.5 });
  const worker = runWorker(services(workerDb, cfg), { types: ['generate_script'], concurrency: 1, once: false, name: 'bench', pipeline, stop: stop.signal });
  await new Promise((r) => setTimeout(r, 300));
  const latencies: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // start at a random moment of the poll cycle
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
    const t0 = performance.now();
    const story = await createStory(services(clientDb, cfg), pipeline, { topic: `pickup ${i}` });
    await new Promise<void>((resolve) => {
      if (started.has(story.id)) return resolve();
      waiting.set(story.id, resolve);
    });
    latencies.push(started.get(story.id)! - t0);
  }
  stop.abort();
  await worker;
  await workerDb.close();
  await clientDb.close();
  return latencies;
}

async function throughput(url: string, workers: number, stories: number): Promise<number> {
  const setup = await connectPostgres(url, { poolSize: 4, logger: silentLogger });
  await setup.query('truncate stories, jobs restart identity cascade');
  const pipeline = trivial();
  const cfg = config({ pollSeconds: 0.2 });
  for (let i = 0; i < stories; i++) await createStory(services(setup, cfg), pipeline, { topic: `load ${i}` });
  const dbs = await Promise.all(Array.from({ length: workers }, () => connectPostgres(url, { poolSize: 6, logger: silentLogger })));
  const t0 = performance.now();
  await Promise.all(
    dbs.map((db, i) => runWorker(services(db, cfg), { concurrency: 4, once: true, name: `w${i}`, pipeline, stop: new AbortController().signal })),
  );
  const seconds = (performance.now() - t0) / 1000;
  const [{ n }] = await setup.query<{ n: number }>("select count(*) as n from jobs where status = 'completed'");
  if (n !== stories * pipeline.length) throw new Error(`expected ${stories * pipeline.length} completed jobs, found ${n}`);
  await Promise.all([...dbs, setup].map((d) => d.close()));
  return n / seconds;
}

async function main() {
  const name = `la_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const u = new URL(ADMIN);
  u.pathname = `/${name}`;
  const url = u.toString();
  try {
    const db = await connectPostgres(url, { poolSize: 2, logger: silentLogger });
    await migrate(db);
    await db.close();

    const notify = await pickup(url, true, 60);
    const polling = await pickup(url, false, 30);
    const f = (x: number) => `${x.toFixed(1)} ms`;
    console.log('pick-up latency (create story -> first stage starts), idle worker');
    console.log(`  LISTEN/NOTIFY    p50 ${f(pct(notify, 50))}  p95 ${f(pct(notify, 95))}  (n=${notify.length}; target p50 < 50 ms, p95 < 100 ms)`);
    console.log(`  polling (0.5 s)  p50 ${f(pct(polling, 50))}  p95 ${f(pct(polling, 95))}  (n=${polling.length})`);
    console.log(`  NOTIFY is ${(pct(polling, 50) / pct(notify, 50)).toFixed(1)}x faster at p50 than polling`);

    const stories = Number(process.env.BENCH_STORIES ?? 150);
    const results: [number, number][] = [];
    for (const n of [1, 2, 4]) results.push([n, await throughput(url, n, stories)]);
    console.log(`throughput: ${stories} stories x ${PIPELINE.length} trivial jobs, concurrency 4 per worker`);
    for (const [n, jps] of results) console.log(`  ${n} worker(s): ${jps.toFixed(0)} jobs/s  (${(jps / results[0][1]).toFixed(2)}x one worker)`);
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
