import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import { UsageError, errorMessage } from '../errors.js';

/**
 * Reads a topics file (CSV with a header line, JSON Lines, or a YAML list) into raw rows, each with the
 * line it starts on. Nothing is checked here beyond the syntax: src/import/rows.ts checks the values.
 */

export interface RawRow {
  line: number;
  values: Record<string, unknown>;
}

/** A syntax problem found while reading: the file cannot be read past it. */
export interface RowProblem {
  line: number;
  message: string;
}

export const FORMATS = ['.csv', '.jsonl', '.yaml', '.yml'] as const;

export function readTopicsFile(file: string): { rows: RawRow[]; problems: RowProblem[] } {
  const ext = path.extname(file).toLowerCase();
  if (!(FORMATS as readonly string[]).includes(ext)) {
    throw new UsageError(`cannot import ${file}: give a .csv (with a header line), .jsonl or .yaml file`);
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(err)}`);
  }
  if (ext === '.csv') return readCsv(text);
  if (ext === '.jsonl') return readJsonl(text);
  return readYaml(text);
}

function readCsv(text: string): { rows: RawRow[]; problems: RowProblem[] } {
  try {
    const records = parseCsv(text, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), bom: true, info: true, raw: true, skip_empty_lines: true, trim: true }) as {
      record: Record<string, string>;
      info: { lines: number };
      raw: string;
    }[];
    // info.lines is the record's last line; a quoted value may span several
    return { rows: records.map((r) => ({ line: r.info.lines - (r.raw.replace(/\r?\n$/, '').match(/\n/g)?.length ?? 0), values: r.record })), problems: [] };
  } catch (err) {
    const e = err as { lines?: number; message?: string };
    return { rows: [], problems: [{ line: e.lines ?? 1, message: `not valid CSV: ${e.message ?? String(err)}` }] };
  }
}

function readJsonl(text: string): { rows: RawRow[]; problems: RowProblem[] } {
  const rows: RawRow[] = [];
  const problems: RowProblem[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((l, i) => {
    if (!l.trim()) return;
    try {
      const value: unknown = JSON.parse(l);
      if (value && typeof value === 'object' && !Array.isArray(value)) rows.push({ line: i + 1, values: value as Record<string, unknown> });
      else problems.push({ line: i + 1, message: 'each line must be one JSON object, e.g. {"topic": "The Library of Alexandria"}' });
    } catch {
      problems.push({ line: i + 1, message: 'not valid JSON' });
    }
  });
  return { rows, problems };
}

function readYaml(text: string): { rows: RawRow[]; problems: RowProblem[] } {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length) {
    return { rows: [], problems: doc.errors.map((e) => ({ line: counter.linePos(e.pos[0]).line, message: `not valid YAML: ${e.message.split('\n')[0]}` })) };
  }
  const items = doc.contents;
  if (items === null) return { rows: [], problems: [] };
  if (!isSeq(items)) return { rows: [], problems: [{ line: 1, message: 'the file must be a YAML list of stories ("- topic: ...")' }] };
  const rows: RawRow[] = [];
  const problems: RowProblem[] = [];
  for (const item of items.items) {
    const line = counter.linePos((item as { range?: number[] | null }).range?.[0] ?? 0).line;
    if (isMap(item)) rows.push({ line, values: item.toJSON() as Record<string, unknown> });
    else problems.push({ line, message: 'each item must be a mapping, e.g. "- topic: The Library of Alexandria"' });
  }
  return { rows, problems };
}
