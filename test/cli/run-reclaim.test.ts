import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { connectPostgres } from '../../src/db/postgres.js';
import { silentLogger } from '../../src/log.js';
import { PIPELINE } from '../../src/stages/index.js';
import { createStory } from '../../src/stories.js';
import { alive, startChild } from '../helpers/children.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { createDatabase } from '../helpers/db.js';
import { tempDir, testServices } from '../helpers/services.js';

/**
 * `run --story` on a story whose job another process holds: on the embedded database, where the lock
 * file shows its holder died, it takes the job over at once; on PostgreSQL it waits, and says so once.
 */
describe('the embedded database after a killed run', () => {
  it('run --story reclaims the dead run\'s job at once and publishes the story', async () => {
    const cwd = tempDir('faults-embedded-');
    // a lease of ten minutes: waiting it out would outlast the test
    const config = { video: { width: 320, height: 180, fps: 15, preset: 'superfast', processes: 1 }, queue: { leaseSeconds: 600, pollSeconds: 0.2 } };
    fs.writeFileSync(path.join(cwd, '.lost-archivesrc.json'), JSON.stringify(config));

    const first = startCli(['run', 'The Library of Alexandria'], { cwd });
    await waitFor(() => {
      if (first.exitCode !== null) throw new Error(`the run ended early: ${first.output()}`);
      // the render stage's first progress line: its job is claimed and its stage runs (stages run side by
      // side, so every task's title is printed at the start)
      return /\n› (title card|\d+% of)/.test(first.output());
    }, 180_000, 'the render to start');
    const id = /story ([0-9a-f-]{36})/.exec(first.output())![1];
    first.kill('SIGKILL');
    await first.closed;
    const lock = JSON.parse(fs.readFileSync(path.join(cwd, '.lost-archives', 'db.lock'), 'utf8'));
    expect(lock.pid).toBe(first.pid);
    expect(alive(first.pid!)).toBe(false);

    const second = startCli(['run', '--story', id], { cwd });
    await waitFor(() => second.exitCode !== null || /in progress on worker/.test(second.output()), 240_000, 'the run to finish or to wait');
    expect(second.output()).not.toMatch(/in progress on worker/);
    const result = await second.result;
    expect(result.code, second.output()).toBe(0);
    expect(result.stdout).toMatch(/✔ Render the video/);
    expect(fs.statSync(path.join(cwd, 'published', id, 'video.mp4')).size).toBeGreaterThan(10_000);

    const status = await runCli(['status', id, '--json'], { cwd });
    expect(status.code, status.stderr).toBe(0);
    const render = JSON.parse(status.stdout).jobs.find((j: { type: string }) => j.type === 'render_video');
    // the killed run's attempt counts, as for any worker that died holding a job
    expect(render).toMatchObject({ status: 'completed', attempts: 2 });
  });
});

describe('run --story while a worker holds the stage', () => {
  it('prints the waiting line once, however long it waits', async () => {
    const created = await createDatabase('faults_run');
    const db = await connectPostgres(created.url, { poolSize: 2, logger: silentLogger });
    try {
      await migrate(db);
      await db.exec('create table stage_runs (story_id uuid, type text, worker text, at timestamptz default now())');
      const cwd = tempDir('faults-wait-');
      fs.writeFileSync(path.join(cwd, '.lost-archivesrc.json'), JSON.stringify({ queue: { pollSeconds: 0.1 } }));
      const { id } = await createStory(testServices(db), PIPELINE, { topic: 'The Library of Alexandria' });
      const gate = path.join(cwd, 'gate');
      const fixture = path.resolve(import.meta.dirname, '../fixtures/trivial-worker.mjs');
      const worker = startChild(process.execPath, [fixture], {
        env: { ...process.env, DATABASE_URL: created.url, WORKER_NAME: 'holder', STAGE_MS: '0', LEASE_SECONDS: '3', CONCURRENCY: '1', GATE_STAGE: 'render_video', GATE_FILE: gate },
      });
      await waitFor(() => /stage waits for its gate/.test(worker.output()), 120_000, 'the worker to hold the render');

      const run = startCli(['run', '--story', id], { cwd, env: { DATABASE_URL: created.url } });
      await waitFor(() => /in progress on worker holder; waiting/.test(run.output()), 120_000, 'the run to wait');
      // the holder renews its lease (every second) twice: the run has looked again many times meanwhile
      const lease = async () => (await db.query<{ t: Date }>("select locked_until as t from jobs where type = 'render_video'"))[0].t.getTime();
      for (let renewals = 0, last = await lease(); renewals < 2; ) {
        await waitFor(async () => (await lease()) !== last, 60_000, 'a heartbeat');
        last = await lease();
        renewals++;
      }
      fs.writeFileSync(gate, '');
      await waitFor(() => /✔ Render the video/.test(run.output()), 120_000, 'the run to see the render done');
      const during = run.output().slice(run.output().indexOf('❯ Render the video'), run.output().indexOf('✔ Render the video'));
      expect(during.match(/in progress on worker holder; waiting/g)).toHaveLength(1);
    } finally {
      await db.close();
      await created.drop();
    }
  });
});
