import { z } from 'zod';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** One recurring publishing time: these weekdays at this local time in this IANA zone. */
export const slotRuleSchema = z.strictObject({
  /** Weekdays, e.g. `['tue', 'fri']`. */
  days: z.array(z.enum(WEEKDAYS)).min(1, 'give at least one day, e.g. days: ["tue", "fri"]'),
  /** Local time, 24-hour `HH:MM`, e.g. `'17:00'`. */
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time is HH:MM on a 24-hour clock, e.g. "17:00"'),
  /** IANA time zone, e.g. `'Europe/Berlin'`; daylight saving follows the zone's rules. */
  timezone: z.string().refine(isTimeZone, { error: (iss) => `unknown time zone "${String(iss.input)}"; use an IANA name such as Europe/Berlin or America/New_York` }),
});
export type SlotRule = z.output<typeof slotRuleSchema>;

/** `youtube.schedule`: one rule or a list; normalised to a list. */
export const scheduleSchema = z.union([slotRuleSchema, z.array(slotRuleSchema).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));
