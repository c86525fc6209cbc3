import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { connectPostgres } from '../../src/db/postgres.js';
import type { Db } from '../../src/db/types.js';
import { silentLogger } from '../../src/log.js';
import { alive, descendants, procStat, reapChildren, startChild } from '../helpers/children.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { createDatabase } from '../helpers/db.js';
import { tempDir } from '../helpers/services.js';

/**
 * A real `run-worker` mid-render gets the signal a terminal's Ctrl-C or systemd's KillMode=control-group
 * sends: to its whole process group. The render's ffmpeg is held stopped (SIGSTOP) while the signal is
 * sent, so the render is mid-way whatever the machine's speed, and a signal meant for it would wait in it.
 */

describe('signals to a worker process group mid-render', () => {
  let created: Awaited<ReturnType<typeof createDatabase>>;
  let db: Db;

  beforeAll(async () => {
    created = await createDatabase();
    db = await connectPostgres(created.url, { poolSize: 2, logger: silentLogger });
    await migrate(db);
  });
  afterEach(async () => {
    await reapChildren();
    await db.query('truncate stories, jobs restart identity cascade');
  });
  afterAll(async () => {
    await db.close();
    await created.drop();
  });

  function project(graceSeconds: number): string {
    const cwd = tempDir('la-signals-');
    const config = { video: { width: 320, height: 180, fps: 15, preset: 'superfast', processes: 1 }, queue: { graceSeconds, pollSeconds: 0.2 } };
    fs.writeFileSync(path.join(cwd, '.lost-archivesrc.json'), JSON.stringify(config));
    return cwd;
  }

  async function createStory(cwd: string): Promise<string> {
    const r = await runCli(['create', 'The Library of Alexandria', '--json'], { cwd, env: { DATABASE_URL: created.url } });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout).story_id;
  }

  /** Starts a worker, waits until it renders, and stops (SIGSTOP) the ffmpeg it runs; returns both. */
  async function workerMidRender(cwd: string) {
    const worker = startCli(['run-worker', '--name', 'signals'], { cwd, env: { DATABASE_URL: created.url } });
    await waitFor(() => /stage started .*stage=render_video/.test(worker.output()), 180_000, 'the render to start');
    let ffmpeg = 0;
    await waitFor(
      () => {
        if (worker.exitCode !== null) throw new Error(`the worker exited: ${worker.output()}`);
        const pid = descendants(worker.pid!).find((p) => procStat(p)?.comm === 'ffmpeg');
        if (!pid) return false;
        try {
          process.kill(pid, 'SIGSTOP');
        } catch {
          return false; // a short ffmpeg (a card) ended meanwhile: take the next
        }
        ffmpeg = pid;
        return true;
      },
      120_000,
      'an ffmpeg of the render',
    );
    await waitFor(() => procStat(ffmpeg)?.state === 'T', 30_000, 'ffmpeg to stop');
    return { worker, ffmpeg };
  }

  /** Signals waiting in a process, from /proc (a stopped process keeps them until it continues). */
  function pendingSignals(pid: number): bigint {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return BigInt('0x' + /^ShdPnd:\s*(\w+)/m.exec(status)![1]) | BigInt('0x' + /^SigPnd:\s*(\w+)/m.exec(status)![1]);
  }
  const bit = (sig: number) => 1n << BigInt(sig - 1);

  const jobs = () => db.query<{ type: string; status: string; attempts: number; last_error: string | null }>('select type, status, attempts, last_error from jobs order by id');

  it.each(['SIGINT', 'SIGTERM'] as const)('%s to the group: the render finishes within the grace period, the story publishes, no attempt spent', async (sig) => {
    const cwd = project(120);
    const id = await createStory(cwd);
    const { worker, ffmpeg } = await workerMidRender(cwd);
    const sent = Date.now();
    process.kill(-worker.pid!, sig);
    await waitFor(() => worker.output().includes('stopping: no new jobs'), 60_000, 'the worker to start stopping');
    // the group's signal reached the worker, not its ffmpeg
    expect(pendingSignals(ffmpeg) & (bit(2) | bit(15))).toBe(0n);
    process.kill(ffmpeg, 'SIGCONT');

    const exit = await worker.result;
    expect(exit.code, worker.output()).toBe(0);
    expect((Date.now() - sent) / 1000).toBeLessThan(120);
    const out = worker.output();
    expect(out.indexOf('stage finished', out.indexOf('stopping: no new jobs'))).toBeGreaterThan(0);
    expect(await jobs()).toEqual([
      ...['generate_script', 'generate_images', 'generate_audio', 'generate_subtitles', 'generate_metadata', 'render_video'].map((type) => ({ type, status: 'completed', attempts: 1, last_error: null })),
      { type: 'upload_youtube', status: 'queued', attempts: 0, last_error: null },
    ]);
    expect(alive(ffmpeg)).toBe(false);

    // the next worker goes on from there
    const once = await runCli(['run-worker', '--once'], { cwd, env: { DATABASE_URL: created.url } });
    expect(once.code, once.stderr).toBe(0);
    const [story] = await db.query<{ status: string }>('select status from stories where id = $1', [id]);
    expect(story.status).toBe('published');
    expect((await jobs()).find((j) => j.type === 'render_video')).toMatchObject({ status: 'completed', attempts: 1 });
    expect(fs.statSync(path.join(cwd, 'published', id, 'video.mp4')).size).toBeGreaterThan(10_000);
  });

  it('a grace period too short for the render: the job is handed back with its attempt, and no ffmpeg is left', async () => {
    const cwd = project(1);
    await createStory(cwd);
    const { worker, ffmpeg } = await workerMidRender(cwd);
    process.kill(-worker.pid!, 'SIGTERM');
    // ffmpeg stays stopped: only the worker's SIGKILL after its own SIGTERM can end it
    const exit = await worker.result;
    expect(exit.code, worker.output()).toBe(0);
    expect(worker.output()).toMatch(/job handed back to the queue/);
    const render = (await jobs()).find((j) => j.type === 'render_video');
    expect(render).toEqual({ type: 'render_video', status: 'queued', attempts: 0, last_error: null });
    const [row] = await db.query<{ locked_until: Date | null; locked_by: string | null }>("select locked_until, locked_by from jobs where type = 'render_video'");
    expect(row.locked_until).toBeNull();
    expect(alive(ffmpeg)).toBe(false);
    // nothing of ffmpeg's process group either (what `pgrep -g` would list)
    const group = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e) && procStat(Number(e))?.pgid === ffmpeg && alive(Number(e)));
    expect(group).toEqual([]);
  });
});

describe('children of a process that ends', () => {
  const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/child-then.mjs');

  it.each([
    ['an uncaught exception', 'crash', undefined, 1],
    ['a hang-up (the terminal closed)', 'wait', 'SIGHUP', 129],
  ] as const)('%s: the child it started is killed with it', async (_, how, sig, code) => {
    const parent = startChild(process.execPath, [FIXTURE, how]);
    let pid = 0;
    await waitFor(() => {
      pid = Number(/child (\d+)/.exec(parent.output())?.[1] ?? 0);
      return pid > 0;
    }, 60_000, 'the child to start');
    // in a group of its own, as ffmpeg is: a signal to the parent's group does not reach it
    expect(procStat(pid)?.pgid).toBe(pid);
    if (sig) process.kill(parent.pid!, sig);
    expect((await parent.closed).code).toBe(code);
    await waitFor(() => !alive(pid), 30_000, 'the child to be gone');
  });
});
