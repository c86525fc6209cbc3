import { awaitingSince } from '../approval/index.js';
import type { Queryable } from '../db/types.js';

/** The stage column for stories whose upload waits for approval: `awaiting approval (2h 5m)`. */
export async function awaitingLabels(db: Queryable, storyIds: readonly string[]): Promise<Map<string, string>> {
  const since = await awaitingSince(db, storyIds);
  return new Map([...since].map(([id, at]) => [id, `awaiting approval (${waited(at)})`]));
}

/** How long ago, for people: `3d 4h`, `2h 5m`, `40s`. */
export function waited(since: Date, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - since.getTime()) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}
