import fs from 'node:fs';
import path from 'node:path';
import type { Queryable } from '../db/types.js';
import { UsageError } from '../errors.js';
import type { Pipeline } from '../stages/index.js';
import type { Services } from '../stages/types.js';
import { createStory } from '../stories.js';
import { readTopicsFile } from './read.js';
import { type PlannedRow, planRows } from './rows.js';

/**
 * `create --from FILE`: every row is checked before anything is written, and nothing is written unless
 * all are good. Then each row is one transaction that creates its story and claims the row's key
 * (file, id or hash) under a unique constraint: a row already imported, by an earlier run or by another
 * process right now, rolls its new story back and is reported as skipped.
 */

export interface ImportedRow {
  line: number;
  key: string;
  story_id: string;
  topic: string;
}

export interface ImportResult {
  file: string;
  created: ImportedRow[];
  skipped: ImportedRow[];
}

/** Thrown inside a row's transaction when another import holds its key: rolls the new story back. */
class AlreadyImported extends Error {}

/** The path that names the file in the import keys: absolute, links resolved. */
export function importSource(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** Reads and checks the whole file; a UsageError lists every bad row by its line. */
export function planImport(services: Pick<Services, 'config'>, file: string): PlannedRow[] {
  const read = readTopicsFile(file);
  const { planned, problems } = planRows(services.config, file, read.rows);
  const all = [...read.problems, ...problems].sort((a, b) => a.line - b.line);
  if (all.length) {
    const list = all.map((p) => `  ${path.basename(file)} line ${p.line}: ${p.message}`).join('\n');
    throw new UsageError(`${all.length} bad row${all.length === 1 ? '' : 's'} in ${file}; nothing was imported. Fix ${all.length === 1 ? 'it' : 'them'} and run again:\n${list}`);
  }
  if (!planned.length) throw new UsageError(`${file} has no stories: give one a row (a "topic" column at least)`);
  return planned;
}

async function claim(tx: Queryable, source: string, row: PlannedRow, storyId: string): Promise<boolean> {
  const got = await tx.query('insert into story_imports (source, row_key, story_id, line, approval) values ($1, $2, $3, $4, $5) on conflict do nothing returning row_key', [
    source, row.key, storyId, row.line, row.approval,
  ]);
  return got.length === 1;
}

async function importedStory(db: Queryable, source: string, key: string): Promise<string | null> {
  const [found] = await db.query<{ story_id: string }>('select story_id from story_imports where source = $1 and row_key = $2', [source, key]);
  return found?.story_id ?? null;
}

export async function importStories(services: Services, pipeline: Pipeline, file: string): Promise<ImportResult> {
  const planned = planImport(services, file);
  const source = importSource(file);
  const result: ImportResult = { file: source, created: [], skipped: [] };
  for (const row of planned) {
    const entry = (story_id: string) => ({ line: row.line, key: row.key, story_id, topic: String(row.input.topic) });
    const before = await importedStory(services.db, source, row.key);
    if (before) {
      result.skipped.push(entry(before));
      continue;
    }
    try {
      const story = await createStory(services, pipeline, row.input, row.script, async (tx, s) => {
        // waits for another process holding the same key until it commits or rolls back
        if (!(await claim(tx, source, row, s.id))) throw new AlreadyImported();
      });
      result.created.push(entry(story.id));
    } catch (err) {
      if (!(err instanceof AlreadyImported)) throw err;
      const other = await importedStory(services.db, source, row.key);
      if (!other) throw new Error(`import key ${row.key} of line ${row.line} was taken, then not found`);
      result.skipped.push(entry(other));
    }
  }
  return result;
}
