import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStory } from '../../src/db/stories.js';
import type { Db } from '../../src/db/types.js';
import { executeJob } from '../../src/queue/execute.js';
import * as q from '../../src/queue/jobs.js';
import { keys } from '../../src/storage/types.js';
import { createStory } from '../../src/stories.js';
import type { Job, Story } from '../../src/types.js';
import type { StageContext } from '../../src/stages/types.js';
import { BACKENDS, freshDb } from '../helpers/db.js';
import { testConfig, testServices, trivialPipeline } from '../helpers/services.js';

/** A worker on another machine than the one that stored a still: the job fails at once, naming the cause. */

describe.runIf(BACKENDS.includes('postgres'))('a stored file missing from local storage on a shared database', () => {
  let db: Db;
  let url: string | undefined;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, url, cleanup } = await freshDb('postgres'));
  });
  afterAll(async () => cleanup());

  it('fails the job permanently with a message about local storage, not a bare ENOENT', async () => {
    const [first, ...rest] = trivialPipeline().pipeline;
    const pipeline = [{ ...first, run: async (story: Story, ctx: StageContext) => void (await ctx.storage.localPath(keys.scene(story.id, 1, 'image.png'))) }, ...rest];
    const services = testServices(db, testConfig({ database: { url } }));
    const s = await createStory(services, pipeline, { topic: 'The Phaistos Disc' });
    const job = (await q.claim(db, 'w1', null, 30))!;
    const result = await executeJob(services, job, { worker: 'w1', pipeline });
    expect(result.outcome).toBe('failed');
    const [row] = await db.query<Job>('select * from jobs where id = $1', [job.id]);
    expect([row.status, row.attempts]).toEqual(['failed', 1]);
    expect(row.last_error).toMatch(new RegExp(`stored file stories/${s.id}/scenes/01/image.png is missing from local storage: no /.*image.png`));
    expect(row.last_error).toMatch(/local storage is not shared between machines/);
    expect(row.last_error).not.toMatch(/ENOENT/);
    expect((await getStory(db, s.id))!.error_message).toMatch(/not shared between machines/);
  });
});
