import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveStory } from '../../src/approval/index.js';
import { comingSlots, slotOf, takeSlot } from '../../src/calendar/index.js';
import { slotsAfter, wallClock, zonedInstant } from '../../src/calendar/slots.js';
import { parseConfig } from '../../src/config.js';
import { setMetadata } from '../../src/db/stories.js';
import type { Db } from '../../src/db/types.js';
import { videoResource } from '../../src/providers/publish/youtube/index.js';
import { executeJob } from '../../src/queue/execute.js';
import { claim } from '../../src/queue/jobs.js';
import { uploadStage } from '../../src/stages/upload.js';
import { createStory, storyDetail } from '../../src/stories.js';
import type { StoryMetadata } from '../../src/types.js';
import { BACKENDS, freshDb } from '../helpers/db.js';
import { testConfig, testServices } from '../helpers/services.js';
import { recordingPipeline } from './helpers.js';

/** The publishing calendar: slot arithmetic across daylight saving, and slots taken with the upload job. */

const BERLIN = { days: ['tue', 'fri'] as ('tue' | 'fri')[], time: '17:00', timezone: 'Europe/Berlin' };
const METADATA: StoryMetadata = { title: 'T', description: 'D', tags: [], chapters: [], preview: true };

describe('slot arithmetic', () => {
  it('a 17:00 Europe/Berlin slot stays at 17:00 local across the March and October changes', () => {
    const sundays = { days: ['sun' as const], time: '17:00', timezone: 'Europe/Berlin' };
    const march = slotsAfter([sundays], new Date('2026-03-20T00:00:00Z'), 14).map((d) => d.toISOString());
    // 22 March is winter time (UTC+1), 29 March (the change, 02:00 -> 03:00) and later summer time (UTC+2)
    expect(march).toEqual(['2026-03-22T16:00:00.000Z', '2026-03-29T15:00:00.000Z']);
    const october = slotsAfter([sundays], new Date('2026-10-20T00:00:00Z'), 7).map((d) => d.toISOString());
    expect(october).toEqual(['2026-10-25T16:00:00.000Z']);
    for (const at of [...march, ...october]) expect(wallClock(new Date(at).getTime(), 'Europe/Berlin')).toMatchObject({ h: 17, mi: 0 });
  });

  it('a time inside the spring-forward gap lands the gap later; a repeated autumn time is the later one', () => {
    expect(zonedInstant(2026, 3, 29, 2, 30, 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    expect(zonedInstant(2026, 10, 25, 2, 30, 'Europe/Berlin').toISOString()).toBe('2026-10-25T01:30:00.000Z'); // the second 02:30 (CET)
    expect(zonedInstant(2026, 11, 1, 17, 0, 'America/New_York').toISOString()).toBe('2026-11-01T22:00:00.000Z');
  });

  it('several rules merge in time order; slots at or before now are skipped', () => {
    const now = new Date('2026-03-20T16:00:00Z'); // Friday 17:00 Berlin: that slot is not in the future
    const slots = slotsAfter([BERLIN, { days: ['sat'], time: '09:00', timezone: 'America/New_York' }], now, 8).map((d) => d.toISOString());
    expect(slots).toEqual(['2026-03-21T13:00:00.000Z', '2026-03-24T16:00:00.000Z', '2026-03-27T16:00:00.000Z', '2026-03-28T13:00:00.000Z']);
  });

  it('the config takes one rule or a list, and refuses unknown zones, bad times and a schedule beside publishAt', () => {
    expect(parseConfig({ youtube: { schedule: BERLIN } }, 't').youtube.schedule).toEqual([BERLIN]);
    expect(() => parseConfig({ youtube: { schedule: { ...BERLIN, timezone: 'Mars/Olympus' } } }, 't')).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(() => parseConfig({ youtube: { schedule: { ...BERLIN, time: '5pm' } } }, 't')).toThrow(/HH:MM/);
    expect(() => parseConfig({ youtube: { schedule: BERLIN, publishAt: '2027-01-01T00:00:00Z' } }, 't')).toThrow(/schedule needs privacy 'private' and no publishAt/);
  });

  it('the YouTube video resource uploads private with publishAt at the slot', () => {
    const config = parseConfig({ youtube: { schedule: BERLIN } }, 't');
    const story = { language: 'en-US' } as Parameters<typeof videoResource>[0]['story'];
    const slot = new Date('2026-12-08T16:00:00Z');
    const { status } = videoResource({ story, metadata: METADATA, slot }, config.youtube, new Date('2026-12-06T00:00:00Z'));
    expect(status).toMatchObject({ privacyStatus: 'private', publishAt: '2026-12-08T16:00:00.000Z' });
  });
});

describe.each(BACKENDS)('the calendar on %s', (kind) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ db, cleanup } = await freshDb(kind)));
  afterAll(() => cleanup());

  it('ten stories whose renders finish out of order take the ten next slots in the order they finish', async () => {
    const services = testServices(db, testConfig({ youtube: { schedule: BERLIN } }));
    const { pipeline } = recordingPipeline();
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await createStory(services, pipeline, { topic: `Story ${i}` })).id);
    const order = [7, 2, 9, 0, 5, 3, 8, 1, 6, 4].map((i) => ids[i]);
    const before = new Date();
    for (const id of order) {
      // this story alone, up to the creation of its upload job
      for (;;) {
        const job = await claim(db, 'w', pipeline.slice(0, -1).map((s) => s.type), 30, id);
        if (!job) break;
        expect((await executeJob(services, job, { worker: 'w', pipeline })).outcome).toBe('completed');
      }
      expect((await storyDetail(db, id)).status).toBe('uploading');
    }
    const slots = await Promise.all(order.map((id) => slotOf(db, id)));
    const expected = slotsAfter(services.config.youtube.schedule!, before, 60).slice(0, 10);
    expect(slots.map((s) => s!.toISOString())).toEqual(expected.map((s) => s.toISOString()));
    const listed = await comingSlots(db, services.config.youtube.schedule!, 12);
    expect(listed.slice(0, 10).map((e) => e.story_id)).toEqual(order);
    expect(listed.slice(10).map((e) => e.story_id)).toEqual([null, null]);

    // the upload stage hands the slot to the publisher
    let sent: Date | null | undefined;
    const publish = { name: 'recording', publish: async (req: { slot?: Date | null }) => ((sent = req.slot), { videoId: null, url: null }) };
    await setMetadata(db, order[0], METADATA);
    const story = await storyDetail(db, order[0]);
    await uploadStage.run(story, { ...services, providers: { ...services.providers, publish }, signal: new AbortController().signal, log: services.logger, progress: () => {} });
    expect(sent?.toISOString()).toBe(expected[0].toISOString());
  });

  it('a gated story takes its slot when approved, not when its render finishes; a story with its own time takes none', async () => {
    const services = testServices(db, testConfig({ youtube: { schedule: { days: ['mon'], time: '08:15', timezone: 'Asia/Tokyo' } } }));
    const { pipeline } = recordingPipeline();
    const gated = await createStory(services, pipeline, { topic: 'Gated slot', approval: true });
    const { runWorker } = await import('../../src/queue/worker.js');
    await runWorker(services, { concurrency: 1, once: true, name: 'w', pipeline, stop: new AbortController().signal });
    expect(await slotOf(db, gated.id)).toBeNull();
    const { slot } = await approveStory(services, gated.id);
    expect(wallClock(slot!.getTime(), 'Asia/Tokyo')).toMatchObject({ h: 8, mi: 15 });
    expect(await slotOf(db, gated.id)).toEqual(slot);

    const youtube = testServices(db, testConfig({ providers: { publish: 'youtube' }, youtube: { schedule: { days: ['mon'], time: '08:15', timezone: 'Asia/Tokyo' } } }));
    const own = await createStory(youtube, pipeline, { topic: 'Own time', publish_at: '2031-01-01T10:00:00Z' });
    const noOwn = await createStory(youtube, pipeline, { topic: 'No own time' });
    await runWorker(youtube, { concurrency: 1, once: true, name: 'w', pipeline, stop: new AbortController().signal });
    expect(await slotOf(db, own.id)).toBeNull();
    expect(await slotOf(db, noOwn.id)).not.toBeNull();
  });

  it('slots across the daylight-saving changes land at 17:00 Berlin time; a slot already past is given up for the next', async () => {
    const services = testServices(db);
    const story = await createStory(services, recordingPipeline().pipeline, { topic: 'Across DST' });
    const sundays = [{ days: ['sun' as const], time: '17:00', timezone: 'Europe/Berlin' }];
    const march = await db.transaction((tx) => takeSlot(tx, story.id, sundays, new Date('2026-03-23T00:00:00Z')));
    expect(march.toISOString()).toBe('2026-03-29T15:00:00.000Z');
    // the same story later: its March slot is past, so it takes the next free one and frees the old
    const october = await db.transaction((tx) => takeSlot(tx, story.id, sundays, new Date('2026-10-19T00:00:00Z')));
    expect(october.toISOString()).toBe('2026-10-25T16:00:00.000Z');
    expect(await db.query('select 1 from publish_slots where slot_at = $1', [march])).toHaveLength(0);
  });
});

describe.runIf(BACKENDS.includes('postgres'))('racing workers on PostgreSQL', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ db, cleanup } = await freshDb('postgres')));
  afterAll(() => cleanup());

  it('a second transaction that tries the slot the first just took waits on it, then takes the next', async () => {
    const services = testServices(db);
    const { pipeline } = recordingPipeline();
    const [a, b] = [await createStory(services, pipeline, { topic: 'A' }), await createStory(services, pipeline, { topic: 'B' })];
    const rules = [BERLIN];
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    let firstTook!: () => void;
    const took = new Promise<void>((r) => (firstTook = r));
    const first = db.transaction(async (tx) => {
      const slot = await takeSlot(tx, a.id, rules);
      firstTook();
      await hold; // not committed yet: the second sees no taken slot and inserts the same one
      return slot;
    });
    await took;
    const second = db.transaction((tx) => takeSlot(tx, b.id, rules));
    // wait until the second is blocked on the first's uncommitted key: a real race, not a turn-taking
    for (;;) {
      const waiting = await db.query("select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like 'insert into publish_slots%'");
      if (waiting.length) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    release();
    const [slotA, slotB] = await Promise.all([first, second]);
    const expected = slotsAfter(rules, new Date(), 30).slice(0, 2).map((d) => d.toISOString());
    expect([slotA.toISOString(), slotB.toISOString()]).toEqual(expected);
  });

  it('eight transactions at once take eight different slots, the eight next ones', async () => {
    await db.query('truncate publish_slots');
    const services = testServices(db);
    const { pipeline } = recordingPipeline();
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await createStory(services, pipeline, { topic: `R${i}` })).id);
    const slots = await Promise.all(ids.map((id) => db.transaction((tx) => takeSlot(tx, id, [BERLIN]))));
    const expected = slotsAfter([BERLIN], new Date(), 60).slice(0, 8).map((d) => d.toISOString());
    expect(slots.map((s) => s.toISOString()).sort()).toEqual(expected);
  });
});
