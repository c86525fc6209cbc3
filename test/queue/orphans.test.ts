import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { connectPostgres } from '../../src/db/postgres.js';
import type { Db } from '../../src/db/types.js';
import { silentLogger } from '../../src/log.js';
import { alive, descendants, procStat } from '../helpers/children.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { createDatabase } from '../helpers/db.js';
import { tempDir } from '../helpers/services.js';

/**
 * A real `run-worker` SIGKILLed mid-render (nothing of it runs after that signal, no handler, no exit
 * event): the next worker of its name kills the ffmpeg it left and removes its render folder, at start.
 */

/** Folders named la-render-* anywhere two levels below `dir`. */
function renderFolders(dir: string): string[] {
  const found: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const p = path.join(dir, e.name);
    if (e.name.startsWith('la-render-')) found.push(p);
    else for (const f of fs.readdirSync(p)) if (f.startsWith('la-render-')) found.push(path.join(p, f));
  }
  return found;
}

describe('a worker killed with SIGKILL mid-render', () => {
  let created: Awaited<ReturnType<typeof createDatabase>>;
  let db: Db;

  beforeAll(async () => {
    created = await createDatabase('faults_orphans');
    db = await connectPostgres(created.url, { poolSize: 2, logger: silentLogger });
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
    await created.drop();
  });

  it('the next worker of its name kills the ffmpeg it left, removes its render folder, and finishes the story', async () => {
    const cwd = tempDir('faults-orphans-');
    // the workers' temporary files go here, so that the test sees all of them
    const tmp = tempDir('faults-tmp-');
    const config = { video: { width: 320, height: 180, fps: 15, preset: 'superfast', processes: 1 }, queue: { leaseSeconds: 5, pollSeconds: 0.2 } };
    fs.writeFileSync(path.join(cwd, '.lost-archivesrc.json'), JSON.stringify(config));
    const env = { DATABASE_URL: created.url, TMPDIR: tmp };
    const made = await runCli(['create', 'The Library of Alexandria', '--json'], { cwd, env });
    expect(made.code, made.stderr).toBe(0);
    const id = JSON.parse(made.stdout).story_id;

    const first = startCli(['run-worker', '--name', 'orphans'], { cwd, env });
    await waitFor(() => /stage started .*stage=render_video/.test(first.output()), 180_000, 'the render to start');
    const left: number[] = [];
    try {
      // hold an ffmpeg of the render stopped, so that it cannot finish by itself before the next worker starts
      await waitFor(() => {
        if (first.exitCode !== null) throw new Error(`the worker exited: ${first.output()}`);
        const pid = descendants(first.pid!).find((p) => procStat(p)?.comm === 'ffmpeg');
        if (!pid) return false;
        try {
          process.kill(pid, 'SIGSTOP');
        } catch {
          return false; // a short ffmpeg (a card) ended meanwhile: take the next
        }
        left.push(pid);
        return true;
      }, 120_000, 'an ffmpeg of the render');
      const [folder] = renderFolders(tmp);
      expect(folder).toBeDefined();
      left.push(...descendants(first.pid!).filter((p) => !left.includes(p)));

      first.kill('SIGKILL');
      await first.closed;
      // SIGKILL ran nothing of the worker: its children and its folder are still there
      expect(left.some(alive)).toBe(true);
      expect(fs.existsSync(folder)).toBe(true);

      const next = startCli(['run-worker', '--name', 'orphans'], { cwd, env });
      await waitFor(() => /worker started/.test(next.output()), 120_000, 'the next worker to start');
      await waitFor(() => !left.some(alive), 30_000, 'the first worker\'s processes to be gone');
      expect(fs.existsSync(folder)).toBe(false);
      expect(next.output()).toMatch(/cleaned up after the previous worker named orphans .*processesKilled=[1-9].*foldersRemoved=[1-9]/);

      // it reclaims the render once the dead worker's lease runs out, and publishes
      await waitFor(async () => {
        if (next.exitCode !== null) throw new Error(`the worker exited: ${next.output()}`);
        return (await db.query<{ status: string }>('select status from stories where id = $1', [id]))[0].status === 'published';
      }, 240_000, 'the story to publish');
      next.kill('SIGTERM');
      expect((await next.result).code, next.output()).toBe(0);
      // a worker that stops as it should leaves nothing in the temporary folder
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  });

  it('a second live worker of the same name on the machine refuses to start, naming the first', async () => {
    const cwd = tempDir('faults-twins-');
    const env = { DATABASE_URL: created.url, TMPDIR: tempDir('faults-tmp-') };
    const first = startCli(['run-worker', '--name', 'twin'], { cwd, env });
    await waitFor(() => /worker started/.test(first.output()), 120_000, 'the first worker to start');
    const second = await runCli(['run-worker', '--name', 'twin', '--once'], { cwd, env });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`a worker named "twin" is already running on this machine (process ${first.pid})`);
    // the first one's folder is untouched
    expect(fs.readdirSync(path.join(env.TMPDIR, 'lost-archives-worker-twin')).sort()).toEqual(['children', 'worker.pid']);
    first.kill('SIGTERM');
    expect((await first.result).code).toBe(0);
    expect(fs.readdirSync(env.TMPDIR)).toEqual([]);
  });
});
