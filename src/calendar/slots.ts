import { type SlotRule, WEEKDAYS } from '../config/schedule.js';

/**
 * The publishing calendar's arithmetic, pure: which instants a schedule's rules name. Local times are
 * turned into instants with the zone's own rules (Intl), so a slot keeps its wall-clock time across a
 * daylight-saving change. A time that does not exist that day (inside the spring-forward gap) lands
 * the gap's length later; one that happens twice (fall back) is the later of the two.
 */

const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(zone, f);
  }
  return f;
}

/** Wall-clock fields of `at` in `zone`. */
export function wallClock(at: number, zone: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const parts = Object.fromEntries(format(zone).formatToParts(new Date(at)).map((p) => [p.type, Number(p.value)]));
  return { y: parts.year, m: parts.month, d: parts.day, h: parts.hour, mi: parts.minute, s: parts.second };
}

/** How far `zone` is ahead of UTC at the instant `at`, in ms. */
function offsetAt(at: number, zone: string): number {
  const w = wallClock(at, zone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - Math.floor(at / 1000) * 1000;
}

/** The instant at which the wall clock in `zone` shows this date (month 1-12) and time. */
export function zonedInstant(y: number, m: number, d: number, h: number, mi: number, zone: string): Date {
  const asUtc = Date.UTC(y, m - 1, d, h, mi);
  let at = asUtc - offsetAt(asUtc, zone);
  const second = offsetAt(at, zone);
  if (asUtc - second !== at) at = asUtc - second;
  return new Date(at);
}

/** Every slot the rules name after `from` and within `days` days of it, in time order, without repeats. */
export function slotsAfter(rules: readonly SlotRule[], from: Date, days: number): Date[] {
  const seen = new Set<number>();
  const out: Date[] = [];
  for (const rule of rules) {
    const [h, mi] = rule.time.split(':').map(Number);
    const today = wallClock(from.getTime(), rule.timezone);
    // one day back: the zone's date may be behind; every candidate is checked against `from` anyway
    for (let k = -1; k <= days; k++) {
      const date = new Date(Date.UTC(today.y, today.m - 1, today.d) + k * DAY_MS);
      if (!rule.days.includes(WEEKDAYS[date.getUTCDay()])) continue;
      const at = zonedInstant(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), h, mi, rule.timezone);
      if (at.getTime() <= from.getTime() || at.getTime() > from.getTime() + days * DAY_MS || seen.has(at.getTime())) continue;
      seen.add(at.getTime());
      out.push(at);
    }
  }
  return out.sort((a, b) => a.getTime() - b.getTime());
}
