import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../helpers/db.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/services.js';

/** Hostile input on the command line, and hostile text already stored, through the real CLI. */

const ESC = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('input the CLI refuses with exit code 2 and one line naming it', () => {
  const cwd = tempDir('la-hyg-cli-');
  const script = (name: string, text: string | Buffer) => {
    const f = path.join(cwd, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const cases: [string, () => string[], RegExp][] = [
    ['a topic with an ANSI colour and an OSC title', () => ['create', 'Red \u001b[31mALERT\u001b[0m \u001b]0;pwned\u0007'], /^error: the topic holds a control character, U\+001B \(escape\), at character 5/m],
    ['a topic with a line break', () => ['create', 'Troy\nburns'], /^error: the topic holds a control character, U\+000A \(line break\), at character 5/m],
    ['a topic of zero-width characters', () => ['create', '\u200b\u200c\u2060'], /^error: the topic has no visible characters/m],
    ['a script with a NUL byte', () => ['create', 'Troy', '--script', script('nul.md', '## One\nThe walls\u0000 fall.\n')], /^error: nul\.md: line 2 holds a control character, U\+0000 \(NUL\), at character 10/],
    ['a script with an escape sequence', () => ['create', '--script', script('esc.md', '# Troy\n\n## One\nThe \u001b[2Jwalls fall.\n')], /^error: esc\.md: line 4 holds a control character, U\+001B \(escape\)/],
    ['a script scene title with a bell', () => ['create', 'Troy', '--script', script('bell.md', '## One\u0007\nThe walls fall.\n')], /^error: bell\.md: line 1 holds a control character, U\+0007 \(bell\)/],
    ['a script that is not UTF-8', () => ['create', 'Troy', '--script', script('latin1.md', Buffer.from('## Caf\xe9\nThe walls fall.\n', 'latin1'))], /^error: the script .*latin1\.md is not UTF-8 text/],
    ['a hexadecimal budget', () => ['create', 'Troy', '--budget', '0x10'], /^error: --budget takes an amount in US dollars in decimal digits, e\.g\. --budget 2\.50 \(got "0x10"\)/],
    ['a budget in exponent notation', () => ['create', 'Troy', '--budget', '1e3'], /--budget takes an amount in US dollars in decimal digits/],
    ['a binary budget on retry', () => ['retry', '00000000', '--budget', '0b11'], /--budget takes an amount in US dollars in decimal digits/],
  ];
  it.each(cases)('%s', async (_what, args, message) => {
    const r = await runCli(args(), { cwd });
    expect(r.code).toBe(2);
    // one error line (besides the one-line offline-mode notice)
    expect(r.stderr.split('\n').filter((l) => l && !/offline mode/.test(l))).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(ESC);
  });

  it('stored nothing, and a decimal budget is stored as written', async () => {
    expect(JSON.parse((await runCli(['status', '--json'], { cwd })).stdout).total).toBe(0);
    expect((await runCli(['create', 'Troy', '--budget', '$2.50'], { cwd })).code).toBe(0);
    expect((await runCli(['create', 'Ilium', '--budget', '16'], { cwd })).code).toBe(0);
    const stories = JSON.parse((await runCli(['status', '--json'], { cwd })).stdout).stories;
    expect(stories.map((s: { budget_usd: number }) => s.budget_usd).sort()).toEqual([16, 2.5]);
  });
});

describe('stored text with terminal escapes, printed by status', () => {
  const cwd = tempDir('la-hyg-status-');
  let url = '';
  let drop = async () => {};
  let id = '';
  const hostile = 'Red \u001b[31mALERT\u001b[0m \u001b]0;pwned\u0007\r\n\u009b2J \u202eevil';

  beforeAll(async () => {
    const created = await createDatabase('hygiene');
    url = created.url;
    drop = created.drop;
    expect((await runCli(['db', 'migrate'], { cwd, env: { DATABASE_URL: url } })).code).toBe(0);
    // rows as an older version, a provider or a hand-edited database could have left them
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const [story] = (await c.query("insert into stories (topic, language, status, error_message, metadata) values ($1, 'en-US', 'failed', $1, $2) returning id", [hostile, JSON.stringify({ title: hostile, description: 'd', tags: [], chapters: [], preview: true })])).rows;
      id = story.id;
      await c.query('insert into scenes (story_id, position, title, text_content, image_prompt) values ($1, 1, $2, $2, $2)', [id, hostile]);
      await c.query("insert into jobs (story_id, type, status, attempts, max_attempts, last_error, locked_by) values ($1, 'generate_script', 'failed', 3, 3, $2, $2)", [id, hostile]);
    } finally {
      await c.end();
    }
  });
  afterAll(() => drop());

  it('the table, the one-story view and the logs show the escapes as text, never raw', async () => {
    const env = { DATABASE_URL: url };
    const runs = await Promise.all([runCli(['status'], { cwd, env }), runCli(['status', id], { cwd, env }), runCli(['status', id.slice(0, 8), '--verbose'], { cwd, env })]);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(ESC);
      expect(r.stdout).not.toContain('\u202e');
    }
    expect(runs[0].stdout).toContain('Red \\x1b[31mALERT');
    expect(runs[1].stdout).toContain('topic    Red \\x1b[31mALERT\\x1b[0m \\x1b]0;pwned\\x07\\r\\n\\x9b2J \\u202eevil');
    expect(runs[1].stdout).toContain('title    Red \\x1b[31mALERT');
    expect(runs[1].stdout).toContain('error    Red \\x1b[31mALERT');
    // JSON for scripts keeps the stored text exactly
    const json = JSON.parse((await runCli(['status', id, '--json'], { cwd, env })).stdout);
    expect(json.topic).toBe(hostile);
  });
});
