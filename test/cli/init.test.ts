import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askAnswers } from '../../src/commands/init.js';
import { loadConfig } from '../../src/config.js';
import { writeInitialConfig } from '../../src/init.js';
import { runCli, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/services.js';

const CONFIG = 'lost-archives.config.ts';
/** No credentials of any provider in the environment, so what init lists as still to do is predictable. */
const bare = { GEMINI_API_KEY: undefined, GOOGLE_API_KEY: undefined, GOOGLE_APPLICATION_CREDENTIALS: undefined, YOUTUBE_CLIENT_ID: undefined, YOUTUBE_CLIENT_SECRET: undefined, SUPABASE_URL: undefined, SUPABASE_SERVICE_ROLE_KEY: undefined, GOOGLE_GENAI_USE_VERTEXAI: undefined, HOME: tempDir('la-init-home-') };

describe('init', () => {
  it('--yes writes the offline set, which a command then reads: doctor names the file and passes', async () => {
    const cwd = tempDir('la-init-');
    const r = await runCli(['init', '--yes'], { cwd, env: bare });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote .*lost-archives\.config\.ts/);
    expect(r.stdout).not.toMatch(/still to do/);
    const config = await loadConfig({ cwd, env: {} });
    expect(config.source).toBe(path.join(cwd, CONFIG));
    expect(config.providers).toEqual({ text: 'preview', image: ['preview'], speech: 'espeak', publish: 'folder' });
    expect([config.video.width, config.video.height, config.language]).toEqual([1920, 1080, 'en-US']);
    const doctor = await runCli(['doctor', '--json'], { cwd, env: bare });
    const checks = JSON.parse(doctor.stdout).checks as { name: string; ok: boolean; detail: string }[];
    expect(checks.find((c) => c.name === 'config')?.detail).toBe(path.join(cwd, CONFIG));
    expect(doctor.code).toBe(0);
  });

  it('flags choose real providers and Shorts; the file holds no secret and --json lists what each choice still needs', async () => {
    const cwd = tempDir('la-init-');
    const r = await runCli(
      ['init', '--yes', '--json', '--text', 'gemini', '--image', 'gemini', '--speech', 'google', '--publish', 'youtube', '--privacy', 'unlisted', '--language', 'es-ES', '--shape', 'shorts', '--music', 'my tracks', '--bucket', 'archive-files', '--database', 'postgres'],
      { cwd, env: { ...bare, DATABASE_URL: undefined } },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ file: path.join(cwd, CONFIG), backup: null, providers: { text: 'gemini', image: ['gemini'], speech: 'google', publish: 'youtube' }, language: 'es-ES', video: { width: 1080, height: 1920 } });
    expect(out.todo.map((t: { name: string }) => t.name).sort()).toEqual(['cloud tts credentials', 'database', 'gemini credentials', 'storage credentials', 'youtube credentials']);
    for (const t of out.todo) expect(t.fix, t.name).toBeTruthy();
    const config = await loadConfig({ cwd, env: {} });
    expect(config.storage).toMatchObject({ kind: 'supabase', bucket: 'archive-files' });
    expect(config.youtube.privacy).toBe('unlisted');
    expect(config.video.music).toEqual({ folder: path.join(cwd, 'my tracks') });
    expect(config.database.url).toBeUndefined();
    const text = fs.readFileSync(path.join(cwd, CONFIG), 'utf8');
    expect(text).toMatch(/DATABASE_URL/);
    expect(text).not.toMatch(/postgres:\/\//);
  });

  it('a credential already in the environment is not listed as still to do', async () => {
    const cwd = tempDir('la-init-');
    const r = await runCli(['init', '--yes', '--json', '--text', 'gemini'], { cwd, env: { ...bare, GEMINI_API_KEY: 'test-key-not-printed' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).todo).toEqual([]);
    expect(r.stdout + r.stderr).not.toMatch(/test-key-not-printed/);
  });

  it('keeps an existing config unless --force, and then keeps the old one as .bak', async () => {
    const cwd = tempDir('la-init-');
    const file = path.join(cwd, CONFIG);
    const mine = "import { defineConfig } from 'lost-archives';\nexport default defineConfig({ language: 'fr-FR' });\n";
    fs.writeFileSync(file, mine);
    const refused = await runCli(['init', '--yes'], { cwd, env: bare });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exists.*--force/);
    expect(fs.readFileSync(file, 'utf8')).toBe(mine);
    const forced = await runCli(['init', '--yes', '--force', '--language', 'de-DE'], { cwd, env: bare });
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(`${file}.bak`, 'utf8')).toBe(mine);
    expect((await loadConfig({ cwd, env: {} })).language).toBe('de-DE');
  });

  it('refuses to write a file another config in the folder would shadow, bad answers, and questions without a terminal (exit 2, nothing written)', async () => {
    const cwd = tempDir('la-init-');
    fs.writeFileSync(path.join(cwd, '.lost-archivesrc.json'), '{"language": "it-IT"}');
    const shadowed = await runCli(['init', '--yes'], { cwd, env: bare });
    expect(shadowed.code).toBe(2);
    expect(shadowed.stderr).toMatch(/\.lost-archivesrc\.json already configures lost-archives/);
    const empty = tempDir('la-init-');
    const cases: [string[], RegExp][] = [
      [['init'], /asks its questions in a terminal.*--yes/],
      [['init', '--yes', '--language', 'xx-XX'], /unknown language "xx-XX"; use one of en-US/],
      [['init', '--yes', '--text', 'openai'], /argument 'openai' is invalid.*preview, gemini/],
      [['init', '--yes', '--storage', 'supabase'], /needs a bucket name \(--bucket NAME\)/],
      [['init', '--yes', '--bucket', 'No Spaces'], /storage\.bucket: a bucket name/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { cwd: empty, env: bare });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(fs.readdirSync(empty), args.join(' ')).toEqual([]);
    }
  });

  it('asks in a terminal every question no flag answered, and writes the answers', async () => {
    const input = new PassThrough();
    let screen = '';
    const output = new Writable({
      write(chunk, _enc, done) {
        screen += chunk.toString();
        done();
      },
    });
    // a terminal outlives each prompt: each one pipes into it and would end a plain stream when it closes
    output.end = () => output;
    const down = '\x1b[B';
    // each answer is typed once its question is on the screen (the number of times it has been asked so far)
    const script: [RegExp, string][] = [
      [/Who draws the stills\?/, `${down}\r`],
      [/Who narrates\?/, '\r'],
      [/Where do finished videos go\?/, `${down}\r`],
      [/Uploaded videos are/, `${down}${down}\r`],
      [/Language of new stories/, `${down}${down}\r`],
      [/Video shape/, `${down}\r`],
      [/Background music/, `${down}${down}\r`],
      [/Music folder/, 'old reels\r'],
      [/Database/, '\r'],
      [/Where stills, narration and videos are kept/, `${down}\r`],
      [/Supabase bucket/, 'Bad Name\r'],
      [/lowercase letters, digits/, '\x15archive-files\r'],
    ];
    const answers = askAnswers({ text: 'gemini' }, true, { input, output });
    for (const [question, keys] of script) {
      await waitFor(() => question.test(screen), 60_000, String(question));
      // the prompt listens for keys from the tick after it first draws
      await new Promise((r) => setTimeout(r, 30));
      screen = '';
      input.write(keys);
    }
    const a = await answers;
    expect(a).toEqual({
      text: 'gemini',
      image: 'gemini',
      speech: 'espeak',
      publish: 'youtube',
      privacy: 'public',
      language: 'es-ES',
      shape: 'shorts',
      music: 'old reels',
      database: 'embedded',
      storage: 'supabase',
      bucket: 'archive-files',
    });
    const cwd = tempDir('la-init-');
    const written = await writeInitialConfig(a, { cwd, env: {} });
    expect(written.config).toMatchObject({ language: 'es-ES', providers: { text: 'gemini', image: ['gemini'], speech: 'espeak', publish: 'youtube' }, video: { width: 1080, height: 1920 } });
  });
});
