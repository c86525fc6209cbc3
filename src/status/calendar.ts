import Table from 'cli-table3';
import { type CalendarEntry, comingSlots } from '../calendar/index.js';
import type { Services } from '../stages/types.js';

/** `status --calendar`: the coming slots of youtube.schedule, each with the story that holds it. */
export async function calendarView(s: Services, count: number, json: boolean): Promise<string> {
  const rules = s.config.youtube.schedule;
  const entries: CalendarEntry[] = rules ? await comingSlots(s.db, rules, count) : [];
  if (json) return JSON.stringify({ schedule: rules ?? null, slots: entries }, null, 2) + '\n';
  if (!rules) return 'no publishing calendar: set youtube.schedule, e.g. { days: ["tue", "fri"], time: "17:00", timezone: "Europe/Berlin" }\n';
  const zone = rules[0].timezone;
  const local = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  const t = new Table({ head: ['slot (UTC)', `local (${zone})`, 'story', 'topic', 'status'], style: { head: [], border: [] } });
  for (const e of entries) t.push([e.slot_at.toISOString().slice(0, 16).replace('T', ' '), local.format(e.slot_at), e.story_id?.slice(0, 8) ?? 'free', e.topic ?? '', e.status ?? '']);
  return `${t.toString()}\n`;
}
