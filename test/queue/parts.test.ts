import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/types.js';
import { WaitingError } from '../../src/errors.js';
import { executeJob } from '../../src/queue/execute.js';
import * as q from '../../src/queue/jobs.js';
import { TASKS, withTasks } from '../../src/stages/index.js';
import { partOrder, wantsParts } from '../../src/stages/render-parts.js';
import type { Stage, StageContext } from '../../src/stages/types.js';
import { createStory } from '../../src/stories.js';
import { partsLines, partsSummary } from '../../src/status/parts.js';
import type { Job } from '../../src/types.js';
import { BACKENDS, freshDb } from '../helpers/db.js';
import { testConfig, testServices, trivialPipeline } from '../helpers/services.js';

/** The queue's part jobs (supabase/migrations/*_render_parts.sql) and how a worker runs them, on both backends. */

const order = (part: number) => ({ part, parts: 3, plan: 'p1', processes: 3 });

describe.each(BACKENDS)('render part jobs on %s', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await freshDb(backend));
  });
  afterAll(async () => cleanup());
  beforeEach(async () => {
    await db.query('truncate stories, jobs, scenes, assets restart identity cascade');
  });

  const jobsOf = (id: string) => db.query<Job>('select * from jobs where story_id = $1 order by id', [id]);
  /** A story whose render_video job is claimed by `w0`. */
  async function rendering() {
    const s = await createStory(testServices(db), trivialPipeline().pipeline, { topic: 'The Antikythera Mechanism', language: 'en-US' });
    await db.query(`update jobs set type = 'render_video' where story_id = $1`, [s.id]);
    const parent = (await q.claim(db, 'w0', ['render_video'], 30))!;
    return { s, parent };
  }

  it('keeps one active job per part, not per story and type', async () => {
    const { s } = await rendering();
    const ids = [await q.enqueuePart(db, s.id, order(0), 3), await q.enqueuePart(db, s.id, order(1), 3), await q.enqueuePart(db, s.id, order(0), 3)];
    expect(ids[0]).toBeTypeOf('number');
    expect(ids[1]).toBeTypeOf('number');
    expect(ids[2]).toBeNull();
    // the stages' own rule still holds
    expect(await q.enqueue(db, s.id, 'render_video', 3)).toBeNull();
    await expect(db.query(`insert into jobs (story_id, type) values ($1, 'render_part')`, [s.id])).rejects.toThrow(/jobs_part_payload/);
  });

  it('a waiting render is handed back without spending an attempt, and the last part wakes it', async () => {
    const { s, parent } = await rendering();
    for (const k of [0, 1, 2]) await q.enqueuePart(db, s.id, order(k), 3);
    expect(await q.waitForParts(db, parent, 'w0', 600)).toBe('retry');
    let [row] = (await jobsOf(s.id)).filter((j) => j.type === 'render_video');
    expect(row).toMatchObject({ status: 'queued', attempts: 0, last_error: null });
    expect(row.run_at!.getTime()).toBeGreaterThan(Date.now() + 500_000);
    // only the parts are claimable now; the worker that takes render_video takes them
    const types = withTasks(['render_video']);
    expect(types).toEqual(['render_video', 'render_part']);
    const parts = [await q.claim(db, 'w1', types, 30), await q.claim(db, 'w2', types, 30), await q.claim(db, 'w3', types, 30)];
    expect(parts.map((p) => [p!.type, p!.payload!.part])).toEqual([['render_part', 0], ['render_part', 1], ['render_part', 2]]);
    expect(await q.claim(db, 'w4', types, 30)).toBeNull();
    expect(await q.completeTask(db, parts[0]!, 'w1')).toBe(true);
    expect(await q.completeTask(db, parts[1]!, 'w1')).toBe(false); // not w1's
    expect(await q.completeTask(db, parts[1]!, 'w2')).toBe(true);
    [row] = (await jobsOf(s.id)).filter((j) => j.type === 'render_video');
    expect(row.run_at!.getTime()).toBeGreaterThan(Date.now() + 500_000);
    expect(partsSummary(await jobsOf(s.id))).toMatchObject({ done: 2, total: 3 });
    expect(partsLines(await jobsOf(s.id)).join('\n')).toMatch(/render parts: 2 of 3 done[\s\S]*│ 1 +│ completed +│ 1 +│ w1 +│[\s\S]*│ 3 +│ processing +│ 1 +│ w3 +│/);
    expect(await q.completeTask(db, parts[2]!, 'w3')).toBe(true);
    [row] = (await jobsOf(s.id)).filter((j) => j.type === 'render_video');
    expect(row.run_at!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const again = (await q.claim(db, 'w4', types, 30))!;
    expect(again).toMatchObject({ id: parent.id, attempts: 1 });
    // the story did not move on: a part is no stage
    const [story] = await db.query<{ status: string }>('select status from stories where id = $1', [s.id]);
    expect(story.status).toBe('pending');
  });

  it('a render that decides to wait after its last part ended runs again at once', async () => {
    const { s, parent } = await rendering();
    await q.enqueuePart(db, s.id, order(0), 3);
    const part = (await q.claim(db, 'w1', ['render_part'], 30))!;
    await q.completeTask(db, part, 'w1');
    expect(await q.waitForParts(db, parent, 'w0', 600)).toBe('retry');
    expect((await q.claim(db, 'w0', ['render_video'], 30))?.id).toBe(parent.id);
  });

  it('a worker runs a part job as its task and a WaitingError as a wait, not a failure', async () => {
    const { s, parent } = await rendering();
    const { pipeline } = trivialPipeline();
    const seen: Job[] = [];
    const render: Stage = {
      ...pipeline.find((st) => st.type === 'render_video')!,
      async run(_story, ctx) {
        seen.push(ctx.job!);
        expect(ctx.handsOutParts).toBe(true);
        throw new WaitingError('waiting for 1 of 1 parts', 60);
      },
    };
    const services = testServices(db);
    const waited = await executeJob(services, parent, { worker: 'w0', pipeline: pipeline.map((st) => (st.type === 'render_video' ? render : st)), handsOutParts: true });
    expect(waited).toEqual({ outcome: 'retry', error: 'waiting for 1 of 1 parts' });
    expect((await jobsOf(s.id))[0]).toMatchObject({ status: 'queued', attempts: 0 });
    // a part job whose payload is not a part's fails at once, naming what it needs
    await db.query(`insert into jobs (story_id, type, payload) values ($1, 'render_part', '{"part": 0}')`, [s.id]);
    const bad = (await q.claim(db, 'w1', ['render_part'], 30))!;
    expect(TASKS.map((t) => t.type)).toEqual(['render_part']);
    const r = await executeJob(services, bad, { worker: 'w1', pipeline });
    expect(r.outcome).toBe('failed');
    expect(r.error).toMatch(/a render_part job needs a payload \{part, parts, plan, processes\}/);
    expect(seen.map((j) => j.id)).toEqual([parent.id]);
  });
});

describe('when a render hands out its parts', () => {
  const ctxFor = (over: { minutes?: number | null; handsOutParts?: boolean; db?: string; storage?: string }) => {
    const warnings: string[] = [];
    const config = testConfig({ video: { distributeAboveMinutes: over.minutes === undefined ? 10 : over.minutes } });
    const ctx = {
      config,
      db: { kind: over.db ?? 'postgres' },
      storage: { kind: over.storage ?? 'supabase' },
      handsOutParts: over.handsOutParts ?? true,
      log: { warn: (m: string) => warnings.push(m) },
    } as unknown as StageContext;
    return { ctx, warnings };
  };

  it('only from a worker, past the threshold, on a shared database and storage every machine reads', () => {
    expect(wantsParts(ctxFor({}).ctx, 601)).toBe(true);
    expect(wantsParts(ctxFor({}).ctx, 599)).toBe(false);
    expect(wantsParts(ctxFor({ minutes: null }).ctx, 36_000)).toBe(false);
    // `run` renders every part itself, as before
    expect(wantsParts(ctxFor({ handsOutParts: false }).ctx, 3600)).toBe(false);
    const local = ctxFor({ storage: 'local' });
    expect(wantsParts(local.ctx, 3600)).toBe(false);
    expect(local.warnings).toEqual([expect.stringMatching(/rendering every part of this 60\.0-minute video here, not as part jobs: storage is a local folder, which workers on other machines cannot read .*use storage kind supabase/)]);
    // the embedded database has no other worker to hand parts to: nothing to warn about
    const embedded = ctxFor({ db: 'pglite' });
    expect(wantsParts(embedded.ctx, 3600)).toBe(false);
    expect(embedded.warnings).toEqual([]);
  });

  it('a part job says what its payload lacks', () => {
    expect(partOrder({ part: 2, parts: 3, plan: 'abc', processes: 4 })).toEqual({ part: 2, parts: 3, plan: 'abc', processes: 4 });
    for (const bad of [null, { part: 3, parts: 3, plan: 'abc', processes: 4 }, { part: 0, parts: 3, processes: 4 }, { part: -1, parts: 3, plan: 'a', processes: 1 }]) {
      expect(() => partOrder(bad)).toThrow(/a render_part job needs a payload \{part, parts, plan, processes\}/);
    }
  });
});
