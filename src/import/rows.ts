import crypto from 'node:crypto';
import path from 'node:path';
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import { parseStoryVideoSettings } from '../providers/publish/youtube/settings.js';
import type { ScriptDraft } from '../providers/types.js';
import { type NewStory, decimalUsd, readScriptFile, validateNewStory } from '../stories.js';
import type { RawRow, RowProblem } from './read.js';

/** One row checked: the story to create, its script, and the key that makes a re-run skip it. */
export interface PlannedRow {
  line: number;
  key: string;
  input: NewStory;
  script?: ScriptDraft;
  /** the row's approval column; null when not given */
  approval: boolean | null;
}

export const COLUMNS = ['id', 'topic', 'language', 'script', 'budget', 'privacy', 'publish_at', 'approval'] as const;

const TRUE = ['true', 'yes', 'y', '1'];
const FALSE = ['false', 'no', 'n', '0'];

/** A cell as text, or undefined when blank (a CSV's empty cell, a JSON null). */
function text(v: unknown, column: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw new Error(`${column} must be text, not ${Array.isArray(v) ? 'a list' : typeof v}`);
  return v.trim() || undefined;
}

function approvalOf(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  const t = text(v, 'approval')?.toLowerCase();
  if (t === undefined) return null;
  if (TRUE.includes(t)) return true;
  if (FALSE.includes(t)) return false;
  throw new Error(`approval must be true or false (or yes/no), not "${t}"`);
}

function budgetOf(v: unknown): number | undefined {
  const t = text(v, 'budget');
  if (t === undefined) return undefined;
  const n = decimalUsd(t);
  if (n === null) throw new Error(`budget must be an amount in US dollars, e.g. 2.50 (got "${t}")`);
  return n;
}

/** Checks one row the way `create` checks its flags, without writing anything; throws with what is wrong. */
function planRow(config: Config, dir: string, row: RawRow): PlannedRow {
  const unknown = Object.keys(row.values).filter((k) => !(COLUMNS as readonly string[]).includes(k));
  if (unknown.length) throw new Error(`unknown column ${unknown.map((k) => `"${k}"`).join(', ')}; columns are ${COLUMNS.join(', ')}`);
  const v = row.values;
  const id = text(v.id, 'id');
  const scriptPath = text(v.script, 'script');
  const fromFile = scriptPath ? readScriptFile(path.resolve(dir, scriptPath), text(v.topic, 'topic')) : null;
  const input: NewStory = {
    topic: fromFile?.topic ?? text(v.topic, 'topic') ?? '',
    language: text(v.language, 'language') ?? config.language,
    budget_usd: budgetOf(v.budget),
    privacy: text(v.privacy, 'privacy'),
    publish_at: text(v.publish_at, 'publish_at'),
  };
  if (!input.topic) throw new Error('give a topic, or a script whose first line is "# Topic"');
  const approval = approvalOf(v.approval);
  if (approval !== null) input.approval = approval;
  validateNewStory(input);
  parseStoryVideoSettings(config, { privacy: input.privacy, publishAt: input.publish_at });
  // without an id, the values as written are the row's identity (not the defaults, which the config may change)
  const written = COLUMNS.map((c) => (c === 'approval' ? approval : c === 'budget' ? (input.budget_usd ?? null) : (text(v[c], c) ?? null)));
  const key = id ? `id:${id}` : `row:${crypto.createHash('sha256').update(JSON.stringify(written)).digest('hex').slice(0, 32)}`;
  return { line: row.line, key, input, script: fromFile?.script, approval };
}

/** Every row checked; the problems of all bad rows (a repeated key too), in line order. */
export function planRows(config: Config, file: string, rows: RawRow[]): { planned: PlannedRow[]; problems: RowProblem[] } {
  const planned: PlannedRow[] = [];
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    try {
      const p = planRow(config, path.dirname(file), row);
      const first = seen.get(p.key);
      if (first !== undefined) {
        problems.push({ line: row.line, message: p.key.startsWith('id:') ? `id "${p.key.slice(3)}" is also on line ${first}` : `repeats line ${first}` });
        continue;
      }
      seen.set(p.key, row.line);
      planned.push(p);
    } catch (err) {
      problems.push({ line: row.line, message: errorMessage(err).replace(/--publish-at/g, 'publish_at').replace(/--privacy/g, 'privacy') });
    }
  }
  return { planned, problems };
}
