import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStories } from '../../src/import/index.js';
import type { Db } from '../../src/db/types.js';
import { PIPELINE } from '../../src/stages/index.js';
import type { Services } from '../../src/stages/types.js';
import { runCli, startCli } from '../helpers/cli.js';
import { BACKENDS, freshDb } from '../helpers/db.js';
import { tempDir, testConfig, testServices } from '../helpers/services.js';

/** `create --from FILE`: checked whole before writing, each row once, also from two processes at once. */

const SCRIPT = '# The Phaistos Disc\n\n## A clay disc\n\nIn 1908 an archaeologist found a clay disc in the palace of Phaistos.\n\nImage: a clay disc\n';

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

async function counts(db: Db) {
  const [s] = await db.query<{ n: number }>('select count(*)::int as n from stories');
  const [j] = await db.query<{ n: number }>('select count(*)::int as n from jobs');
  const [i] = await db.query<{ n: number }>('select count(*)::int as n from story_imports');
  return { stories: s.n, jobs: j.n, imports: i.n };
}

describe.each(BACKENDS)('create --from on %s', (kind) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let s: Services;
  const dir = tempDir('la-desk-import-');
  beforeAll(async () => {
    ({ db, cleanup } = await freshDb(kind));
    s = testServices(db, testConfig({ providers: { publish: 'youtube' } }, dir));
    fs.mkdirSync(path.join(dir, 'scripts'));
    write(path.join(dir, 'scripts'), 'disc.md', SCRIPT);
  });
  afterAll(async () => cleanup());

  it('a file with one bad row writes nothing and names the row and what is wrong', async () => {
    const file = write(dir, 'one-bad.csv', 'topic,language,budget\nThe Library of Alexandria,en-US,2\nThe Voynich Manuscript,xx-XX,3\nTroy,,1.5\n');
    await expect(importStories(s, PIPELINE, file)).rejects.toThrow(/1 bad row in .*one-bad\.csv; nothing was imported[\s\S]*one-bad\.csv line 3: unknown language "xx-XX"/);
    expect(await counts(db)).toEqual({ stories: 0, jobs: 0, imports: 0 });
  });

  it('every bad row is listed with its line, a quoted value over two lines counted right', async () => {
    const file = write(
      dir,
      'many-bad.csv',
      [
        'id,topic,script,budget,privacy,publish_at,approval',
        'a,"The Antikythera\nMechanism",,2,,,',
        'b,Troy,,two dollars,,,',
        'c,Troy,missing.md,,,,',
        'd,Knossos,,,,,',
        'e,Knossos,,,secret,,',
        'f,Knossos,,,public,2099-01-01T10:00:00Z,',
        'g,Knossos,,,,,maybe',
        'h,,,,,,',
        'k,Phaistos,,,,,',
        'k,Malia,,,,,',
      ].join('\n'),
    );
    const err = await importStories(s, PIPELINE, file).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const lines = (err as Error).message.split('\n').slice(1).map((l) => l.trim());
    expect(lines).toEqual([
      // a topic over two lines (a quoted CSV value) is refused as a topic must be one line; the lines after it are still counted right
      'many-bad.csv line 2: the topic holds a control character, U+000A (line break), at character 16: give it as plain text on one line, without escape sequences or control characters',
      'many-bad.csv line 4: budget must be an amount in US dollars, e.g. 2.50 (got "two dollars")',
      'many-bad.csv line 5: cannot read the script ' + path.join(dir, 'missing.md') + ': no such file',
      'many-bad.csv line 7: unknown privacy "secret"; use private, unlisted, public',
      'many-bad.csv line 8: publish_at needs privacy private (YouTube makes the video public at that time)',
      'many-bad.csv line 9: approval must be true or false (or yes/no), not "maybe"',
      'many-bad.csv line 10: give a topic, or a script whose first line is "# Topic"',
      'many-bad.csv line 12: id "k" is also on line 11',
    ]);
    expect((await counts(db)).stories).toBe(0);
  });

  it('a budget is read in decimal digits only: 0x10 and 1e3 are refused, not stored as $16 and $1000', async () => {
    const file = write(dir, 'hex.csv', 'topic,budget\nTroy,0x10\nKnossos,1e3\nMycenae,$2.50\n');
    const err = await importStories(s, PIPELINE, file).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message.split('\n').slice(1).map((l) => l.trim())).toEqual([
      'hex.csv line 2: budget must be an amount in US dollars, e.g. 2.50 (got "0x10")',
      'hex.csv line 3: budget must be an amount in US dollars, e.g. 2.50 (got "1e3")',
    ]);
    expect((await counts(db)).stories).toBe(0);
  });

  it('a good file twice creates each story once; the script path is read from beside the file', async () => {
    const file = write(
      dir,
      'good.csv',
      'id,topic,language,script,budget,privacy,publish_at,approval\n1,The Library of Alexandria,en-US,,2.5,,,yes\n2,,,scripts/disc.md,,private,2099-12-01T17:00:00Z,\n3,La Biblioteca,es-ES,,,,,no\n',
    );
    const first = await importStories(s, PIPELINE, file);
    expect(first.created.map((r) => [r.line, r.topic])).toEqual([[2, 'The Library of Alexandria'], [3, 'The Phaistos Disc'], [4, 'La Biblioteca']]);
    expect(first.skipped).toEqual([]);
    const again = await importStories(s, PIPELINE, file);
    expect(again.created).toEqual([]);
    expect(again.skipped.map((r) => r.story_id)).toEqual(first.created.map((r) => r.story_id));
    expect(await counts(db)).toEqual({ stories: 3, jobs: 3, imports: 3 });
    const [disc] = await db.query<{ topic: string; script_text: string; scenes: number; privacy: string }>(
      `select s.topic, s.script_text, (select count(*)::int from scenes where story_id = s.id) as scenes, y.privacy
       from stories s join youtube_uploads y on y.story_id = s.id where s.id = $1`,
      [first.created[1].story_id],
    );
    expect(disc).toMatchObject({ topic: 'The Phaistos Disc', scenes: 1, privacy: 'private' });
    const approvals = await db.query<{ line: number; approval: boolean | null }>('select line, approval from story_imports order by line');
    expect(approvals).toEqual([{ line: 2, approval: true }, { line: 3, approval: null }, { line: 4, approval: false }]);
    // the column is the story's own approval gate; an empty one takes publish.approval (false here)
    const gates = await db.query<{ approval: boolean }>('select s.approval from story_imports i join stories s on s.id = i.story_id order by i.line');
    expect(gates.map((g) => g.approval)).toEqual([true, false, false]);
    const [budget] = await db.query<{ budget_usd: number }>('select budget_usd from stories where id = $1', [first.created[0].story_id]);
    expect(Number(budget.budget_usd)).toBe(2.5);
  });

  it('JSON Lines and YAML: rows without an id are known again by their values; a new row is added', async () => {
    const jsonl = write(dir, 'topics.jsonl', '{"topic": "Göbekli Tepe", "budget": 4}\n\n{"topic": "The Nazca Lines", "language": "es-ES"}\n');
    const a = await importStories(s, PIPELINE, jsonl);
    expect(a.created.map((r) => r.line)).toEqual([1, 3]);
    write(dir, 'topics.jsonl', '{"topic": "Göbekli Tepe", "budget": 4}\n{"topic": "The Nazca Lines", "language": "es-ES"}\n{"topic": "Sutton Hoo"}\n');
    const b = await importStories(s, PIPELINE, jsonl);
    expect(b.skipped.map((r) => r.story_id)).toEqual(a.created.map((r) => r.story_id));
    expect(b.created.map((r) => r.topic)).toEqual(['Sutton Hoo']);

    const yaml = write(dir, 'week.yaml', '# next week\n- topic: Stonehenge\n  budget: 3\n  approval: true\n\n- topic: Skara Brae\n  language: en-GB\n  colour: red\n- just a string\n');
    const err = await importStories(s, PIPELINE, yaml).catch((e: Error) => e.message);
    expect(err).toMatch(/week\.yaml line 6: unknown column "colour"/);
    expect(err).toMatch(/week\.yaml line 9: each item must be a mapping/);
    write(dir, 'week.yaml', '# next week\n- topic: Stonehenge\n  budget: 3\n  approval: true\n- topic: Skara Brae\n');
    const y = await importStories(s, PIPELINE, yaml);
    expect(y.created.map((r) => [r.line, r.topic])).toEqual([[2, 'Stonehenge'], [5, 'Skara Brae']]);
  });

  it('a row without an id is known by its values as written, not by the defaults the config fills in', async () => {
    const file = write(dir, 'defaults.csv', 'topic,budget\nThe Jelling Stones,2\n');
    const first = await importStories(s, PIPELINE, file);
    write(dir, 'defaults.csv', 'topic,budget\nThe Jelling Stones,$2.00\n');
    const spanish = testServices(db, testConfig({ language: 'es-ES', providers: { publish: 'youtube' } }, dir));
    const again = await importStories(spanish, PIPELINE, file);
    expect(again.created).toEqual([]);
    expect(again.skipped.map((r) => r.story_id)).toEqual(first.created.map((r) => r.story_id));
  });

  it('the same file imported twice at once in one process creates each story once', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => JSON.stringify({ id: `r${i}`, topic: `Race topic ${i}` }));
    const file = write(dir, 'race.jsonl', rows.join('\n'));
    const before = (await counts(db)).stories;
    const [x, y] = await Promise.all([importStories(s, PIPELINE, file), importStories(s, PIPELINE, file)]);
    expect(x.created.length + y.created.length).toBe(12);
    expect(new Set([...x.created, ...y.created].map((r) => r.key)).size).toBe(12);
    expect((await counts(db)).stories).toBe(before + 12);
  });
});

describe('create --from through the real CLI', () => {
  it('two processes importing the same file at once on PostgreSQL create each story once', async () => {
    const { db, url, cleanup } = await freshDb('postgres');
    const cwd = tempDir('la-desk-cli-');
    try {
      const file = write(cwd, 'topics.csv', 'topic,budget\n' + Array.from({ length: 30 }, (_, i) => `Concurrent topic ${i},1`).join('\n') + '\n');
      const env = { DATABASE_URL: url };
      const [a, b] = await Promise.all([startCli(['create', '--from', file, '--json'], { cwd, env }).result, startCli(['create', '--from', 'topics.csv', '--json'], { cwd, env }).result]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const [ja, jb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
      expect(ja.created.length + jb.created.length).toBe(30);
      expect(ja.created.length + ja.skipped.length).toBe(30);
      expect(jb.created.length + jb.skipped.length).toBe(30);
      const ids = new Set([...ja.created, ...jb.created].map((r: { story_id: string }) => r.story_id));
      expect(ids.size).toBe(30);
      expect(await counts(db)).toEqual({ stories: 30, jobs: 30, imports: 30 });
    } finally {
      await cleanup();
    }
  });

  it('a bad row on the embedded database: exit code 2, the row named, nothing written; then a good run prints the ids', async () => {
    const cwd = tempDir('la-desk-cli-');
    write(cwd, 'topics.csv', 'topic,language\nTroy,en-US\nKnossos,klingon\n');
    const bad = await runCli(['create', '--from', 'topics.csv'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/topics\.csv line 3: unknown language "klingon"/);
    expect(bad.stdout).toBe('');
    write(cwd, 'topics.csv', 'topic,language\nTroy,en-US\nKnossos,en-GB\n');
    const good = await runCli(['create', '--from', 'topics.csv', '--json'], { cwd });
    expect(good.code, good.stderr).toBe(0);
    const out = JSON.parse(good.stdout);
    expect(out.created.map((r: { line: number }) => r.line)).toEqual([2, 3]);
    const status = await runCli(['status', '--json'], { cwd });
    expect(JSON.parse(status.stdout).stories.map((x: { id: string }) => x.id).sort()).toEqual(out.created.map((r: { story_id: string }) => r.story_id).sort());
    const clash = await runCli(['create', 'Troy', '--from', 'topics.csv'], { cwd });
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/--from takes every story's values from the file's columns; drop a topic/);
  });
});
