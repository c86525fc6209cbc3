/**
 * `node dist/bench/render.js --workers 1,2`: one story's render spread over N `run-worker` processes, each
 * held to one core with `taskset -c` (a stand-in for N machines), against one PostgreSQL and one
 * Supabase-like storage. For each N it prints the render's wall time (from the workers' start to the
 * render_video job's completion) and the speed-up over the first N; the target is at least 0.8 x N.
 * The earlier stages run first (one unpinned worker) and are not timed.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres; a database is created
 * and dropped in it), SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (default: the loopback fake of the Storage
 * API from test/fakes), BENCH_SCENES (default 8), BENCH_WORDS per scene (default 40), BENCH_SIZE (default
 * 320x180), BENCH_FPS (default 24), BENCH_PARTS (the render's `processes`, default 8). A 30-minute 1080p
 * render: BENCH_SCENES=60 BENCH_WORDS=75 BENCH_SIZE=1920x1080 BENCH_FPS=30.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startFakeSupabaseStorage } from '../test/fakes/supabase-storage.js';

const BIN = path.resolve(import.meta.dirname, '../bin/lost-archives.js');
const EARLY = 'generate_script,generate_images,generate_audio,generate_subtitles,generate_metadata';
const WORDS = 'the keepers of the great library copied every scroll that came into the harbour and sent the originals back'.split(' ');

function script(scenes: number, words: number): string {
  const text = (i: number) => Array.from({ length: words }, (_, k) => WORDS[(k + i) % WORDS.length]).join(' ');
  return `# The Benchmark of Alexandria\n\n${Array.from({ length: scenes }, (_, i) => `## Scene ${i + 1}\n${text(i)}.\n`).join('\n')}`;
}

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv, cpu?: number): ChildProcess {
  const [cmd, argv] = cpu === undefined ? [process.execPath, [BIN, ...args]] : ['taskset', ['-c', String(cpu), process.execPath, BIN, ...args]];
  return spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null ? r(c.exitCode) : c.on('exit', (code) => r(code))));

export async function renderWorkersBench(counts: number[]): Promise<void> {
  const scenes = Number(process.env.BENCH_SCENES ?? 8);
  const words = Number(process.env.BENCH_WORDS ?? 40);
  const [width, height] = (process.env.BENCH_SIZE ?? '320x180').split('x').map(Number);
  const fps = Number(process.env.BENCH_FPS ?? 24);
  const parts = Number(process.env.BENCH_PARTS ?? 8);
  const cores = os.availableParallelism();
  const admin = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `la_bench_workers_${process.pid}`;
  const url = Object.assign(new URL(admin), { pathname: `/${name}` }).toString();
  const fake = process.env.SUPABASE_URL ? null : await startFakeSupabaseStorage({ buckets: { archive: { public: false } } });
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'la-bench-workers-'));
  const env = { ...process.env, DATABASE_URL: url, SUPABASE_URL: fake?.url ?? process.env.SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY: fake?.key ?? process.env.SUPABASE_SERVICE_ROLE_KEY, NO_COLOR: '1' };
  const config = { storage: { kind: 'supabase', bucket: process.env.BENCH_BUCKET ?? 'archive' }, video: { width, height, fps, processes: parts, distributeAboveMinutes: 0 }, queue: { pollSeconds: 0.2, leaseSeconds: 30 } };
  fs.writeFileSync(path.join(cwd, '.lost-archivesrc.json'), JSON.stringify(config));
  fs.writeFileSync(path.join(cwd, 'story.md'), script(scenes, words));
  const db = new pg.Client({ connectionString: admin });
  await db.connect();
  await db.query(`create database ${name}`);
  const q = new pg.Client({ connectionString: url });
  console.log(`render across workers: ${scenes} scenes x ${words} words, ${width}x${height} ${fps} fps, ${parts} processes planned, workers ${counts.join(', ')} (${cores} cores, each worker pinned to one)`);
  const results: { n: number; seconds: number; video: number; parts: number; by: number }[] = [];
  try {
    execFileSync(process.execPath, [BIN, 'db', 'migrate'], { cwd, env, stdio: 'ignore' });
    await q.connect();
    for (const n of counts) {
      const made = JSON.parse(execFileSync(process.execPath, [BIN, 'create', '--script', 'story.md', '--json'], { cwd, env, encoding: 'utf8' })) as { story_id: string };
      const id = made.story_id;
      // the earlier stages, untimed
      if ((await exited(cli(['run-worker', '--once', '--type', EARLY, '--name', 'prepare'], cwd, env))) !== 0) throw new Error('preparing the story failed');
      const t0 = performance.now();
      const workers = Array.from({ length: n }, (_, i) => cli(['run-worker', '--type', 'render_video', '--name', `bench-${n}-${i + 1}`], cwd, env, i % cores));
      let row: { status: string; last_error: string | null } | undefined;
      for (;;) {
        [row] = (await q.query(`select status, last_error from jobs where story_id = $1 and type = 'render_video' order by id desc limit 1`, [id])).rows;
        if (row?.status === 'completed' || row?.status === 'failed' || workers.some((w) => w.exitCode !== null)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const seconds = (performance.now() - t0) / 1000;
      for (const w of workers) w.kill('SIGTERM');
      await Promise.all(workers.map(exited));
      if (row?.status !== 'completed') throw new Error(`the render with ${n} workers did not complete: ${row?.status} ${row?.last_error ?? ''}`);
      const done = (await q.query(`select count(*)::int as parts, count(distinct locked_by)::int as by from jobs where story_id = $1 and type = 'render_part' and status = 'completed'`, [id])).rows[0];
      const [scenesRow] = (await q.query(`select sum(duration_seconds) as s from scenes where story_id = $1`, [id])).rows;
      results.push({ n, seconds, video: Number(scenesRow.s), parts: done.parts, by: done.by });
      console.log(`  ${n} worker(s): ${seconds.toFixed(1)} s wall for the render (${done.parts} parts by ${done.by} worker(s); narration ${Number(scenesRow.s).toFixed(0)} s)`);
    }
    const base = results[0];
    for (const r of results.slice(1)) {
      const speedup = base.seconds / r.seconds;
      const target = 0.8 * (r.n / base.n);
      console.log(`  speed-up ${base.n} -> ${r.n} workers: ${speedup.toFixed(2)}x (target >= ${target.toFixed(2)}x: ${speedup >= target ? 'met' : 'NOT met'}); load average now ${os.loadavg()[0].toFixed(1)}`);
    }
  } finally {
    await q.end().catch(() => {});
    await db.query(`drop database if exists ${name} with (force)`);
    await db.end();
    await fake?.close();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}
