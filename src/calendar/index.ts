import type { SlotRule } from '../config/schedule.js';
import type { Queryable } from '../db/types.js';
import { RuntimeError } from '../errors.js';
import { slotsAfter } from './slots.js';

/**
 * The publishing calendar in the database (table publish_slots, one row per taken slot, keyed by its
 * time). A slot is taken with an insert that does nothing on a conflict, then the next one is tried:
 * two workers taking slots at the same moment never share one, and no read-then-write decides it.
 */

/** How far ahead a story looks for a free slot. */
export const HORIZON_DAYS = 400;

/** The slot the story holds, or null. */
export async function slotOf(db: Queryable, storyId: string): Promise<Date | null> {
  const [row] = await db.query<{ slot_at: Date }>('select slot_at from publish_slots where story_id = $1', [storyId]);
  return row?.slot_at ?? null;
}

/**
 * Gives the story the next free slot after `now` (inside the caller's transaction, the one that queues
 * its upload); a story that already holds a slot still ahead keeps it. Returns the slot.
 */
export async function takeSlot(tx: Queryable, storyId: string, rules: readonly SlotRule[], now = new Date()): Promise<Date> {
  const held = await slotOf(tx, storyId);
  if (held && held > now) return held;
  if (held) await releaseSlot(tx, storyId);
  const taken = new Set(
    (await tx.query<{ slot_at: Date }>('select slot_at from publish_slots where slot_at > $1', [now])).map((r) => r.slot_at.getTime()),
  );
  for (const slot of slotsAfter(rules, now, HORIZON_DAYS)) {
    if (taken.has(slot.getTime())) continue;
    const rows = await tx.query('insert into publish_slots (slot_at, story_id) values ($1, $2) on conflict do nothing returning slot_at', [slot, storyId]);
    if (rows.length) return slot;
    // another worker took it since the read above: try the next
  }
  throw new RuntimeError(`the publishing calendar (youtube.schedule) has no free slot in the next ${HORIZON_DAYS} days; add slots or give the story --publish-at`);
}

export async function releaseSlot(db: Queryable, storyId: string): Promise<void> {
  await db.query('delete from publish_slots where story_id = $1', [storyId]);
}

export interface CalendarEntry {
  slot_at: Date;
  /** the story holding the slot, or null when it is free */
  story_id: string | null;
  topic: string | null;
  status: string | null;
}

/** The next `count` slots after `now`, each with the story that holds it (a taken slot is listed even if the rules changed since). */
export async function comingSlots(db: Queryable, rules: readonly SlotRule[], count: number, now = new Date()): Promise<CalendarEntry[]> {
  const taken = await db.query<{ slot_at: Date; story_id: string; topic: string; status: string }>(
    'select p.slot_at, p.story_id, s.topic, s.status from publish_slots p join stories s on s.id = p.story_id where p.slot_at > $1 order by p.slot_at',
    [now],
  );
  const byTime = new Map(taken.map((t) => [t.slot_at.getTime(), t]));
  const free = slotsAfter(rules, now, HORIZON_DAYS).filter((s) => !byTime.has(s.getTime()));
  const entries: CalendarEntry[] = [
    ...taken.map((t) => ({ slot_at: t.slot_at, story_id: t.story_id, topic: t.topic, status: t.status })),
    ...free.map((slot_at) => ({ slot_at, story_id: null, topic: null, status: null })),
  ];
  return entries.sort((a, b) => a.slot_at.getTime() - b.slot_at.getTime()).slice(0, count);
}
