import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { migrate } from '../../src/db/migrate.js';
import { connectPostgres } from '../../src/db/postgres.js';
import { listScenes } from '../../src/db/stories.js';
import type { Db } from '../../src/db/types.js';
import { silentLogger } from '../../src/log.js';
import { planParts } from '../../src/media/parts.js';
import { sceneTimeline } from '../../src/media/timeline.js';
import type { Job } from '../../src/types.js';
import { type FakeStorage, startFakeSupabaseStorage } from '../fakes/supabase-storage.js';
import { type Child, descendants, procStat, reapChildren } from '../helpers/children.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { createDatabase } from '../helpers/db.js';
import { tempDir } from '../helpers/services.js';

/**
 * One story's render spread over three real `run-worker` processes on one PostgreSQL and the loopback
 * Supabase Storage: its parts are render_part jobs, one worker is killed (SIGKILL) while it renders a part,
 * and the joined video still comes out frame-exact, with keyframes where the parts meet and no click there.
 */

const VIDEO = { width: 320, height: 180, fps: 12, preset: 'superfast', processes: 8, distributeAboveMinutes: 0.05 } as const;

const SCRIPT = `# The Lighthouse of Alexandria

${['The Pharos', 'Sostratus', 'The Light', 'Earthquakes', 'The Fort'].map((t, i) => `## ${t}\nScene ${i + 1} tells of the great tower on its island. Sailors saw its fire from far out at sea.\n`).join('\n')}`;

describe('a long render across worker processes', () => {
  let created: Awaited<ReturnType<typeof createDatabase>>;
  let db: Db;
  let fake: FakeStorage;
  let env: Record<string, string>;
  const cwd = tempDir('la-distribute-');

  beforeAll(async () => {
    created = await createDatabase('la_distribute');
    db = await connectPostgres(created.url, { poolSize: 2, logger: silentLogger });
    await migrate(db);
    fake = await startFakeSupabaseStorage({ buckets: { archive: { public: false } } });
    env = { DATABASE_URL: created.url, SUPABASE_URL: fake.url, SUPABASE_SERVICE_ROLE_KEY: fake.key };
    fs.writeFileSync(
      path.join(cwd, '.lost-archivesrc.json'),
      JSON.stringify({ storage: { kind: 'supabase', bucket: 'archive' }, video: VIDEO, queue: { leaseSeconds: 6, pollSeconds: 0.2, backoffBaseSeconds: 0.5 } }),
    );
    fs.writeFileSync(path.join(cwd, 'story.md'), SCRIPT);
  });
  afterEach(async () => reapChildren());
  afterAll(async () => {
    await db.close();
    await created.drop();
    await fake.close();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  const jobs = (id: string) => db.query<Job>('select * from jobs where story_id = $1 order by id', [id]);
  const statusOf = async (id: string) => (await db.query<{ status: string; error_message: string | null }>('select status, error_message from stories where id = $1', [id]))[0];

  it('renders the parts on several workers, survives one killed mid-part, and joins them frame-exact', { timeout: 900_000 }, async () => {
    const made = await runCli(['create', '--script', 'story.md', '--json'], { cwd, env });
    expect(made.code, made.stderr).toBe(0);
    const id = JSON.parse(made.stdout).story_id as string;
    const workers = new Map<string, Child>(['w1', 'w2', 'w3'].map((name) => [name, startCli(['run-worker', '--name', name], { cwd, env })]));

    // once parts have been finished by two workers, stop (SIGSTOP) the next ffmpeg that renders a part, then kill
    // its worker as a machine dies: SIGKILL, no goodbye
    const finishers = () => new Set([...workers].filter(([, w]) => /part rendered/.test(w.output())).map(([name]) => name));
    let victim = '';
    let killedPart = -1;
    let statusDuringParts = '';
    await waitFor(
      async () => {
        const s = await statusOf(id);
        if (s.status === 'failed') throw new Error(`story failed: ${s.error_message}`);
        if (s.status !== 'rendering' && s.status !== 'pending' && s.status.startsWith('generating') === false) throw new Error(`the render ended (${s.status}) before a worker could be killed mid-part`);
        if (finishers().size < 2) return false;
        for (const [name, w] of workers) {
          if (w.exitCode !== null) throw new Error(`worker ${name} exited: ${w.output()}`);
          for (const pid of descendants(w.pid!).filter((p) => procStat(p)?.comm === 'ffmpeg')) {
            const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
            const out = /part-(\d+)\.mp4$/.exec(args.at(-2) ?? '') ?? /part-(\d+)\.mp4$/.exec(args.filter(Boolean).at(-1) ?? '');
            if (!out) continue;
            try {
              process.kill(pid, 'SIGSTOP');
            } catch {
              continue; // finished meanwhile
            }
            statusDuringParts = s.status;
            victim = name;
            killedPart = Number(out[1]);
            for (const p of [w.pid!, ...descendants(w.pid!)]) process.kill(p, 'SIGKILL');
            return true;
          }
        }
        return false;
      },
      600_000,
      'a worker rendering a part',
    );
    await workers.get(victim)!.closed;
    expect(statusDuringParts).toBe('rendering');

    await waitFor(
      async () => {
        const s = await statusOf(id);
        if (s.status === 'failed') throw new Error(`story failed: ${s.error_message}`);
        return s.status === 'published';
      },
      600_000,
      'the story to be published',
    );

    // every part is a job; the killed one's lease ran out and another worker finished it (the same job, a second attempt)
    const parts = (await jobs(id)).filter((j) => j.type === 'render_part');
    const n = Number(parts[0].payload!.parts);
    expect(n).toBe(VIDEO.processes);
    expect(parts.map((j) => [j.payload!.part, j.status])).toEqual(Array.from({ length: n }, (_, k) => [k, 'completed']));
    const killed = parts.find((j) => j.payload!.part === killedPart)!;
    expect(killed.attempts).toBe(2);
    expect(killed.locked_by).not.toBe(victim);
    // no part rendered to completion twice: one 'part rendered' line per part over all workers, none from the victim for its part
    const rendered = [...workers].flatMap(([name, w]) => [...w.output().matchAll(/part rendered .*?\bpart=(\d+)/g)].map((m) => [name, Number(m[1])] as const));
    expect(rendered.map(([, k]) => k).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, k) => k));
    expect(rendered.filter(([name, k]) => name === victim && k === killedPart)).toEqual([]);
    expect(new Set(rendered.map(([name]) => name)).size).toBeGreaterThan(1);
    expect(finishers().size).toBeGreaterThan(1);
    // the render job waited without holding a worker: handed back, never an attempt spent on waiting
    const render = (await jobs(id)).find((j) => j.type === 'render_video')!;
    expect(render).toMatchObject({ status: 'completed', attempts: 1 });
    const shown = await runCli(['status', id], { cwd, env });
    expect(shown.stdout).toMatch(new RegExp(`render parts: ${n} of ${n} done`));
    // the parts went through storage and are gone once joined
    expect(fake.requests.some((r) => r.path.includes(`/stories/${id}/parts/`))).toBe(true);
    expect([...fake.objects.keys()].filter((k) => k.includes(`stories/${id}/parts/`))).toEqual([]);

    const file = path.join(process.env.LA_KEEP_VIDEO ?? cwd, 'video.mp4');
    fs.writeFileSync(file, fake.objects.get(`archive/stories/${id}/video.mp4`)!.bytes);
    const config = parseConfig({ video: VIDEO }, 'test');
    const timeline = sceneTimeline(await listScenes(db, id), config.video);
    const fps = VIDEO.fps;
    const probe = (args: string[]) => execFileSync('ffprobe', ['-v', 'error', ...args, file], { encoding: 'utf8' }).trim();
    expect(Number(probe(['-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0']))).toBe(Math.round(timeline.total * fps));

    // keyframes where the parts meet (the same cut points the render planned)
    const planned = planParts({ pictures: timeline.segments.map(() => 'x.png'), timeline, width: VIDEO.width, height: VIDEO.height, seed: id, profile: config.video.profile, preset: VIDEO.preset, workDir: cwd }, VIDEO.processes, null);
    expect(planned.parts).toHaveLength(n);
    const bounds = planned.parts.slice(0, -1).reduce<number[]>((acc, p) => [...acc, (acc.at(-1) ?? 0) + Math.round(p.seconds * fps)], []);
    // frames in presentation order with their key flag (timestamps would need rounding; indices do not)
    const flags = probe(['-select_streams', 'v:0', '-show_entries', 'frame=key_frame', '-of', 'csv=p=0']).split('\n').filter(Boolean);
    const keyframes = new Set(flags.flatMap((f, i) => (f.startsWith('1') ? [i] : [])));
    for (const b of bounds) expect(keyframes.has(b), `keyframe at frame ${b} (parts meet at ${bounds}; keyframes ${[...keyframes]})`).toBe(true);

    // the sound runs on across every join: no jump (click) and no drop-out at the join against the half second around it
    const pcm = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-ac', '1', '-ar', '48000', '-f', 'f32le', '-'], { maxBuffer: 1 << 28 });
    const x = new Float32Array(pcm.buffer, pcm.byteOffset, pcm.length / 4);
    const stats = (a: number, b: number) => {
      let jump = 0;
      let sq = 0;
      for (let i = Math.max(1, a); i < Math.min(x.length, b); i++) {
        jump = Math.max(jump, Math.abs(x[i] - x[i - 1]));
        sq += x[i] * x[i];
      }
      return { jump, rms: Math.sqrt(sq / Math.max(1, b - a)) };
    };
    for (const b of bounds) {
      const at = Math.round((b / fps) * 48000);
      const near = stats(at - 480, at + 480);
      const around = [stats(at - 24000, at - 480), stats(at + 480, at + 24000)];
      expect(around[0].rms, `sound before the join at ${b / fps}s`).toBeGreaterThan(0.001);
      expect(near.jump, `jump at the join at ${b / fps}s`).toBeLessThanOrEqual(Math.max(...around.map((s) => s.jump)) * 1.5);
      expect(near.rms, `level at the join at ${b / fps}s`).toBeGreaterThan(Math.min(...around.map((s) => s.rms)) * 0.2);
    }
  });
});
