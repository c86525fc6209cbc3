import Table from 'cli-table3';
import type { StoryResearch } from '../db/research.js';
import type { StoryDetail } from '../db/stories.js';
import { UsageError } from '../errors.js';
import { PIPELINE, progressIndex } from '../stages/index.js';
import { cut, money } from '../status/cell.js';
import { partsLines } from '../status/parts.js';
import { researchView } from '../status/research.js';
import type { Services } from '../stages/types.js';
import { type StoryPage, issuesMessage, storyDetail, storyPage, storyPageSchema } from '../stories.js';
import type { Story } from '../types.js';
import { awaitingLabels, waited } from '../status/approval.js';
import { calendarView } from '../status/calendar.js';
import { type GlobalOptions, stopSignal, withServices } from './common.js';

export interface StatusOptions {
  limit?: string;
  offset?: string;
  json?: boolean;
  watch?: boolean;
  calendar?: boolean;
}

function age(d: Date): string {
  const s = Math.max(0, Math.round((Date.now() - d.getTime()) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** How long until `d`, for a job waiting on a limit: `23h 59m`, `4m`. */
function until(d: Date): string {
  const m = Math.max(1, Math.ceil((d.getTime() - Date.now()) / 60_000));
  return m < 60 ? `${m}m` : `${Math.floor(m / 60)}h ${m % 60}m`;
}


function currentStage(story: Story): string {
  const i = progressIndex(PIPELINE, story.status);
  if (story.status === 'pending') return `${PIPELINE[0].type} (queued)`;
  return i >= 0 && i < PIPELINE.length ? PIPELINE[i].type : '-';
}

type CostedStory = Story & { cost_usd: number };

function listView(stories: CostedStory[], total: number, limit: number, offset: number, totalUsd: number, held = new Map<string, string>()): string {
  if (!stories.length) return total ? `no stories at offset ${offset} (${total} in all)\n` : 'no stories yet: `lost-archives create "topic"` adds one\n';
  const t = new Table({ head: ['id', 'topic', 'status', 'stage', 'age', 'cost', 'error'], style: { head: [], border: [] } });
  for (const s of stories) {
    const cost = `${money(s.cost_usd)}${s.budget_usd != null ? ` / ${money(s.budget_usd)}` : ''}`;
    t.push([s.id.slice(0, 8), cut(s.topic, 40), s.status, s.status === 'failed' || s.status === 'published' ? '-' : (held.get(s.id) ?? currentStage(s)), age(s.created_at), cost, cut(s.error_message, 50)]);
  }
  return `${t.toString()}\n${offset + 1}-${offset + stories.length} of ${total}; all stories cost ${money(totalUsd)}\n`;
}

function secs(a: Date | null, b: Date | null): string {
  return a && b ? `${((b.getTime() - a.getTime()) / 1000).toFixed(1)}s` : '';
}

/** One story for people: its stages, what waits and why, scenes, assets and costs. */
export function detailView(d: StoryDetail & { research?: StoryResearch }): string {
  const out: string[] = [];
  out.push(`story    ${d.id}`, `topic    ${cut(d.topic)}`, `language ${cut(d.language)}`, `status   ${d.status}${d.script_source?.provider === 'preview' ? ' (preview script)' : ''}`);
  if (d.error_message) out.push(`error    ${cut(d.error_message)}`);
  // a job re-queued for later (a quota, YouTube's upload limit, a backoff) says why in full
  for (const j of d.jobs) {
    if (j.status === 'queued' && j.last_error && j.run_at && j.run_at.getTime() > Date.now()) out.push(`waiting  ${j.type}, next try in ${until(j.run_at)}: ${cut(j.last_error)}`);
  }
  for (const j of d.jobs) if (j.status === 'queued' && j.held) out.push(`waiting  ${j.type}, ${cut(j.held)} for ${waited(j.updated_at)}: \`lost-archives review ${d.id.slice(0, 8)}\``);
  if (d.metadata) out.push(`title    ${cut(d.metadata.title)}`);
  out.push(`cost     ${money(d.cost_usd)}${d.budget_usd != null ? ` of a ${money(d.budget_usd)} budget` : ''}${d.costs.length ? ` (${d.costs.length} paid calls)` : ''}`);
  if (d.youtube_url) out.push(`youtube  ${cut(d.youtube_url)}`);
  out.push(`created  ${d.created_at.toISOString()} (${age(d.created_at)} ago)`, '');
  const stages = new Table({ head: ['stage', 'state', 'attempts', 'worker', 'took', 'error'], style: { head: [], border: [] } });
  for (const stage of PIPELINE) {
    const jobs = d.jobs.filter((j) => j.type === stage.type);
    const j = jobs.at(-1);
    stages.push([stage.type, j?.status ?? '-', j ? `${j.attempts}/${j.max_attempts}` : '', cut(j?.locked_by), j ? secs(j.started_at, j.finished_at) : '', cut(j?.last_error, 50)]);
  }
  out.push(stages.toString(), ...partsLines(d.jobs));
  if (d.scenes.length) {
    const t = new Table({ head: ['scene', 'title', 'still', 'narration', 'words'], style: { head: [], border: [] } });
    for (const s of d.scenes) {
      t.push([s.position, cut(s.title, 30), s.image_url ? 'yes' : '-', s.duration_seconds != null ? `${s.duration_seconds.toFixed(1)}s` : '-', s.text_content.split(/\s+/).length]);
    }
    out.push('', t.toString());
  }
  if (d.research) out.push('', researchView(d.research));
  if (d.assets.length) {
    const t = new Table({ head: ['asset', 'size', 'location'], style: { head: [], border: [] } });
    for (const a of d.assets) t.push([cut(a.kind), `${(a.bytes / 1024).toFixed(0)} KiB`, cut(a.url)]);
    out.push('', t.toString());
  }
  if (d.costs.length) {
    const t = new Table({ head: ['stage', 'model', 'calls', 'tokens in', 'tokens out', 'images', 'characters', 'cost'], style: { head: [], border: [] } });
    const groups = new Map<string, StoryDetail['costs']>();
    for (const c of d.costs) groups.set(`${c.stage}\u0000${c.model}`, [...(groups.get(`${c.stage}\u0000${c.model}`) ?? []), c]);
    for (const rows of groups.values()) {
      const sum = (k: 'tokens_in' | 'tokens_out' | 'images' | 'characters' | 'usd') => rows.reduce((n, r) => n + r[k], 0);
      const unpriced = rows.some((r) => !r.priced) ? ' (no price)' : '';
      t.push([cut(rows[0].stage), cut(rows[0].model), rows.length, sum('tokens_in'), sum('tokens_out'), sum('images'), sum('characters'), `${money(sum('usd'))}${unpriced}`]);
    }
    out.push('', t.toString());
  }
  if (d.jobs.length > PIPELINE.length) out.push('', `${d.jobs.length} jobs in all (\`status ${d.id.slice(0, 8)} --json\` lists them)`);
  return out.join('\n') + '\n';
}

async function render(s: Services, id: string | undefined, page: StoryPage, json: boolean, calendar = false): Promise<string> {
  if (calendar) return calendarView(s, page.limit, json);
  if (id) {
    const d = await storyDetail(s.db, id);
    return json ? JSON.stringify(d, null, 2) + '\n' : detailView(d);
  }
  const list = await storyPage(s.db, page);
  return json ? JSON.stringify(list, null, 2) + '\n' : listView(list.stories, list.total, list.limit, list.offset, list.total_cost_usd, await awaitingLabels(s.db, list.stories.map((x) => x.id)));
}

/** `status [ID]`: the story table, or one story's stages, scenes, jobs and assets. */
export async function status(g: GlobalOptions, id: string | undefined, opts: StatusOptions): Promise<void> {
  const parsed = storyPageSchema.safeParse({ limit: opts.limit, offset: opts.offset });
  if (!parsed.success) throw new UsageError(issuesMessage(parsed.error.issues.map((i) => ({ message: `--${i.message}` }))));
  const page = parsed.data;
  await withServices(g, { logLevel: 'warn' }, async (s) => {
    if (!opts.watch) {
      if (opts.calendar && id) throw new UsageError('--calendar lists the whole calendar; leave out the story id');
      process.stdout.write(await render(s, id, page, !!opts.json, opts.calendar));
      return;
    }
    if (opts.json) throw new UsageError('--watch and --json do not go together; poll `status --json` from your script instead');
    const stop = stopSignal();
    while (!stop.aborted) {
      const view = await render(s, id, page, false, opts.calendar);
      process.stdout.write(`\x1b[2J\x1b[H${new Date().toLocaleTimeString()}  (Ctrl-C to stop)\n\n${view}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  });
}

