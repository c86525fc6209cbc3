import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../helpers/db.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/services.js';

describe('CLI on the embedded database', () => {
  const cwd = tempDir('la-cli-');

  it('create prints the story id, and --json exactly story_id and status', async () => {
    const plain = await runCli(['create', 'The Library of Alexandria'], { cwd });
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
    expect(plain.stderr).toMatch(/offline mode/);
    const json = await runCli(['create', 'The Voynich Manuscript', '--language', 'es-ES', '--json'], { cwd });
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout);
    expect(Object.keys(body)).toEqual(['story_id', 'status']);
    expect(body.status).toBe('pending');
  });

  it('status lists stories as a table and as JSON, and shows one story', async () => {
    const table = await runCli(['status'], { cwd });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/The Voynich Manuscript.*pending.*generate_script \(queued\)/);
    const list = JSON.parse((await runCli(['status', '--json', '--limit', '1'], { cwd })).stdout);
    expect(list).toMatchObject({ total: 2, limit: 1, offset: 0 });
    expect(list.stories).toHaveLength(1);
    expect(list.stories[0].topic).toBe('The Voynich Manuscript');
    const id: string = list.stories[0].id;
    const one = JSON.parse((await runCli(['status', id.slice(0, 8), '--json'], { cwd })).stdout);
    expect(one).toMatchObject({ id, topic: 'The Voynich Manuscript', language: 'es-ES', status: 'pending', scenes: [], assets: [] });
    expect(one.jobs.map((j: { type: string; status: string }) => [j.type, j.status])).toEqual([['generate_script', 'queued']]);
    const detail = await runCli(['status', id], { cwd });
    expect(detail.stdout).toMatch(/generate_script\s*│\s*queued/);
  });

  const usage: [string, string[], RegExp][] = [
    ['an empty topic', ['create', '   '], /topic is empty/],
    ['a 501-character topic', ['create', 'x'.repeat(501)], /longer than 500 characters/],
    ['an unknown language', ['create', 'Troy', '--language', 'xx-YY'], /unknown language "xx-YY"; use one of en-US/],
    ['an unknown command', ['publish-now'], /unknown command 'publish-now'/],
    ['an unknown flag', ['create', 'Troy', '--colour'], /unknown option '--colour'/],
    ['an unknown story id', ['status', '00000000-0000-4000-8000-000000000000'], /no story with id/],
    ['an unknown stage', ['retry', '00000000', '--from', 'polish'], /no story with id|unknown stage/],
    ['an unknown job type', ['run-worker', '--type', 'generate_memes'], /unknown job type "generate_memes"/],
    ['a bad concurrency', ['run-worker', '--concurrency', 'lots'], /--concurrency must be a whole number/],
    ['run with no topic', ['run'], /give a topic/],
    ['no command at all', [], /Usage: lost-archives/],
  ];
  it.each(usage)('rejects %s with exit code 2 and one clear line', async (_what, args, message) => {
    const r = await runCli(args, { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('writes nothing when the input is bad', async () => {
    await runCli(['create', ''], { cwd });
    const list = JSON.parse((await runCli(['status', '--json'], { cwd })).stdout);
    expect(list.total).toBe(2);
  });

  it('retry of a story that is still queued says so', async () => {
    const list = JSON.parse((await runCli(['status', '--json'], { cwd })).stdout);
    const r = await runCli(['retry', list.stories[0].id], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already has job \d+ \(generate_script\) queued; wait for it/);
    const unknownStage = await runCli(['retry', list.stories[0].id, '--from', 'polish'], { cwd });
    expect(unknownStage.code).toBe(2);
    expect(unknownStage.stderr).toMatch(/unknown stage "polish"; stages are generate_script, generate_images/);
  });

  it('a second process on the embedded database is told who holds it and what to do', async () => {
    const worker = startCli(['run-worker', '--type', 'upload_youtube'], { cwd });
    try {
      await waitFor(() => worker.output().includes('worker started'), 120_000, 'worker start');
      const r = await runCli(['status'], { cwd });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`in use by process ${worker.pid}`);
      expect(r.stderr).toMatch(/DATABASE_URL/);
    } finally {
      worker.kill('SIGTERM');
      expect((await worker.result).code).toBe(0);
    }
    // and once it is gone, the database opens again
    expect((await runCli(['status'], { cwd })).code).toBe(0);
  });

  it('--help explains commands, and --version prints the version', async () => {
    const help = await runCli(['run-worker', '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--once/);
    expect(help.stdout).toMatch(/render_video/);
    const v = await runCli(['--version'], { cwd });
    expect(v.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')).version);
  });
});

describe('operator scripts and preflight', () => {
  const cwd = tempDir('la-cli-script-');
  const fixture = path.resolve(import.meta.dirname, '../fixtures/tricky.md');
  const example = path.resolve(import.meta.dirname, '../../examples/antikythera-mechanism.md');

  it('create --script stores the scenes as written, with the file’s title as topic', async () => {
    const r = await runCli(['create', '--script', example, '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const story = JSON.parse((await runCli(['status', JSON.parse(r.stdout).story_id, '--json'], { cwd })).stdout);
    expect(story.topic).toBe('The Antikythera Mechanism');
    expect(story.script_source).toEqual({ provider: 'operator', file: 'antikythera-mechanism.md' });
    expect(story.scenes.map((s: { title: string }) => s.title)).toEqual(['A Storm off Antikythera', 'The Wreck', 'Gears in the Rock', 'Reading the Machine', 'A Cosmos in Bronze', 'What Remains']);
    expect(story.scenes[0].text_content).toMatch(/^In the spring of 1900, a crew of sponge divers/);
    expect(story.scenes[0].image_prompt).toBe('sponge divers in a wooden boat beside a rocky Greek island, early twentieth century');
  });

  it('a topic on the command line wins over the script’s title', async () => {
    const r = await runCli(['create', 'Odd characters', '--script', fixture, '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const story = JSON.parse((await runCli(['status', JSON.parse(r.stdout).story_id, '--json'], { cwd })).stdout);
    expect(story.topic).toBe('Odd characters');
    expect(story.scenes[2].text_content).toContain('%{localtime}');
  });

  const bad: [string, string, RegExp][] = [
    ['a missing file', '', /cannot read the script .*nope\.md: no such file/],
    ['a file without scenes', '# Just a title\nSome words.\n', /has no scenes: start each scene with a "## Scene title" line/],
    ['a scene without narration', '# T\n## One\nText.\n## Two\nImage: a map\n', /scene 2 \("Two"\) has no narration/],
  ];
  it.each(bad)('rejects %s with exit code 2 and queues nothing', async (what, content, message) => {
    const before = JSON.parse((await runCli(['status', '--json'], { cwd })).stdout).total;
    const file = path.join(cwd, what === 'a missing file' ? 'nope.md' : `${what.replace(/ /g, '-')}.md`);
    if (content) fs.writeFileSync(file, content);
    const r = await runCli(['create', '--script', file], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(JSON.parse((await runCli(['status', '--json'], { cwd })).stdout).total).toBe(before);
  });

  it('run refuses to start without ffmpeg, says how to install it, and queues nothing', async () => {
    const fresh = tempDir('la-cli-pre-');
    const r = await runCli(['run', 'Troy'], { cwd: fresh, env: { FFMPEG_PATH: '/nonexistent/ffmpeg' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot run the configured pipeline:\n  - ffmpeg: not found; install ffmpeg \(Debian\/Ubuntu: `sudo apt-get install ffmpeg`/);
    expect(JSON.parse((await runCli(['status', '--json'], { cwd: fresh })).stdout).total).toBe(0);
    // a worker for stages that need no ffmpeg still starts
    const w = await runCli(['run-worker', '--type', 'generate_script', '--once'], { cwd: fresh, env: { FFMPEG_PATH: '/nonexistent/ffmpeg' } });
    expect(w.code, w.stderr).toBe(0);
  });
});

describe('configuration', () => {
  it('a malformed config names every bad key and exits 2', async () => {
    const cwd = tempDir('la-cfg-');
    fs.writeFileSync(path.join(cwd, '.lost-archivesrc.json'), JSON.stringify({ video: { fps: 'thirty' }, queue: { maxAttempts: 0 }, colour: 'red' }));
    const r = await runCli(['status'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid configuration in .*\.lost-archivesrc\.json/);
    expect(r.stderr).toMatch(/video\.fps: .*number/);
    expect(r.stderr).toMatch(/queue\.maxAttempts: .*>=1/);
    expect(r.stderr).toMatch(/colour/);
  });

  it('a broken JSON config is one clear line', async () => {
    const cwd = tempDir('la-cfg-');
    fs.writeFileSync(path.join(cwd, '.lost-archivesrc.json'), '{ "video": ');
    const r = await runCli(['status'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*lost-archivesrc\.json/);
  });

  it('a typed lost-archives.config.ts with defineConfig is loaded', async () => {
    const cwd = tempDir('la-cfg-');
    fs.writeFileSync(
      path.join(cwd, 'lost-archives.config.ts'),
      "import { defineConfig } from 'lost-archives';\nexport default defineConfig({ dataDir: 'state', language: 'fr-FR' });\n",
    );
    const r = await runCli(['create', 'Versailles', '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(cwd, 'state', 'db'))).toBe(true);
    const one = JSON.parse((await runCli(['status', JSON.parse(r.stdout).story_id, '--json'], { cwd })).stdout);
    expect(one.language).toBe('fr-FR');
  });

  it('--config points at a file elsewhere; a missing one is a usage error', async () => {
    const cwd = tempDir('la-cfg-');
    const r = await runCli(['--config', 'nope.json', 'status'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config file not found: nope\.json/);
  });
});

describe('CLI on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createDatabase>>;
  const cwd = tempDir('la-cli-pg-');
  beforeAll(async () => {
    db = await createDatabase();
  });
  afterAll(async () => db.drop());

  it('refuses to work on an unmigrated database and says to run db migrate', async () => {
    const r = await runCli(['create', 'Troy'], { cwd, env: { DATABASE_URL: db.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing \d+ migration\(s\).*lost-archives db migrate/);
  });

  it('db migrate applies migrations once and is safe to re-run', async () => {
    const first = await runCli(['db', 'migrate', '--json'], { cwd, env: { DATABASE_URL: db.url } });
    expect(first.code, first.stderr).toBe(0);
    const body = JSON.parse(first.stdout);
    expect(body.applied.length).toBeGreaterThanOrEqual(2);
    expect(body.database).not.toMatch(/password/);
    const again = JSON.parse((await runCli(['db', 'migrate', '--json'], { cwd, env: { DATABASE_URL: db.url } })).stdout);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(body.applied);
  });

  it('an unreachable DATABASE_URL is one clear runtime error with the password masked', async () => {
    const r = await runCli(['status'], { cwd, env: { DATABASE_URL: 'postgres://app:s3cret@127.0.0.1:1/none' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot connect to PostgreSQL at postgres:\/\/app:\*\*\*\*@127\.0\.0\.1:1\/none/);
    expect(r.stderr).not.toContain('s3cret');
  });

  it('on a transaction pooler, doctor says what to change and a worker polls instead of listening', async () => {
    const url = `${db.url}?pgbouncer=true`;
    const doctor = JSON.parse((await runCli(['doctor', '--json'], { cwd, env: { DATABASE_URL: url } })).stdout);
    const mode = doctor.checks.find((c: { name: string }) => c.name === 'connection mode');
    expect(mode.detail).toMatch(/transaction pooler .*session pooler \(same host, port 5432\)/);
    const created = JSON.parse((await runCli(['create', 'Troy', '--json'], { cwd, env: { DATABASE_URL: url } })).stdout);
    const worker = await runCli(['run-worker', '--once', '--type', 'generate_script'], { cwd, env: { DATABASE_URL: url } });
    expect(worker.code, worker.stderr).toBe(0);
    expect(worker.stderr).toMatch(/transaction pooler .*workers poll/);
    // a shared database with local storage: the worker says plainly that this does not scale across machines
    expect(worker.stderr).toMatch(/storage is a local folder: workers on other machines cannot read the files this one stores/);
    const story = JSON.parse((await runCli(['status', created.story_id, '--json'], { cwd, env: { DATABASE_URL: url } })).stdout);
    expect(story.jobs.find((j: { type: string }) => j.type === 'generate_script').status).toBe('completed');
  });

  it('a DATABASE_URL that is not a postgres URL is a usage error', async () => {
    const r = await runCli(['status'], { cwd, env: { DATABASE_URL: 'mysql://x@y/z' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/postgres:\/\//);
  });
});
