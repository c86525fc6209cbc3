import { input, select } from '@inquirer/prompts';
import { bucketNameSchema } from '../config/storage.js';
import { ExitError, UsageError } from '../errors.js';
import { DEFAULT_ANSWERS, type InitAnswers, writeInitialConfig } from '../init.js';
import { LANGUAGES } from '../languages.js';
import { type GlobalOptions, printJson } from './common.js';

export interface InitOptions extends Partial<InitAnswers> {
  yes?: boolean;
  force?: boolean;
  json?: boolean;
}

/** Where the prompts read keys and draw (a terminal; tests give streams). */
export interface PromptContext {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

type Choice<T> = { value: T; name: string; description?: string };

/**
 * The questions not answered by flags, in order; with `ask` false every unanswered one takes the
 * offline default. Returns every answer.
 */
export async function askAnswers(given: Partial<InitAnswers>, ask: boolean, context?: PromptContext): Promise<InitAnswers> {
  const a: Partial<InitAnswers> = { ...given };
  const pick = async <K extends keyof InitAnswers>(key: K, message: string, choices: Choice<InitAnswers[K]>[]) => {
    if (a[key] !== undefined) return;
    a[key] = ask ? await select({ message, choices, default: DEFAULT_ANSWERS[key] }, context) : DEFAULT_ANSWERS[key];
  };
  // typed answers are asked only in a terminal (without one, a missing bucket is refused by validateAnswers)
  const type = async (key: 'music' | 'bucket', message: string, validate: (v: string) => string | true) => {
    a[key] = (await input({ message, validate: (v) => validate(v.trim()) }, context)).trim();
  };
  await pick('text', 'Who writes the script, title and description?', [
    { value: 'preview', name: 'preview: an offline writer (labelled as a preview everywhere)' },
    { value: 'gemini', name: 'gemini: Gemini (needs GEMINI_API_KEY)' },
  ]);
  await pick('image', 'Who draws the stills?', [
    { value: 'preview', name: 'preview: archival-look stills drawn on this machine' },
    { value: 'gemini', name: 'gemini: Gemini image models (needs GEMINI_API_KEY)' },
  ]);
  await pick('speech', 'Who narrates?', [
    { value: 'espeak', name: 'espeak: espeak-ng on this machine' },
    { value: 'google', name: 'google: Cloud Text-to-Speech (needs Google credentials)' },
  ]);
  await pick('publish', 'Where do finished videos go?', [
    { value: 'folder', name: 'folder: published/<story-id>/ on this machine' },
    { value: 'youtube', name: 'youtube: uploaded to your channel (then run `lost-archives auth youtube`)' },
  ]);
  if (a.publish === 'youtube') {
    await pick('privacy', 'Uploaded videos are', [
      { value: 'private', name: 'private' },
      { value: 'unlisted', name: 'unlisted' },
      { value: 'public', name: 'public (an unaudited API project’s uploads stay private anyway)' },
    ]);
  }
  await pick(
    'language',
    'Language of new stories (--language changes it per story)',
    Object.entries(LANGUAGES).map(([value, l]) => ({ value, name: `${value}  ${l.name}` })),
  );
  await pick('shape', 'Video shape', [
    { value: 'landscape', name: 'landscape 1920x1080' },
    { value: 'shorts', name: 'Shorts 1080x1920' },
  ]);
  if (a.music === undefined) {
    const music = ask
      ? await select(
          {
            message: 'Background music',
            choices: [
              { value: 'builtin', name: 'builtin: an ambient bed generated here' },
              { value: 'none', name: 'none' },
              { value: 'folder', name: 'a folder of your own tracks' },
            ],
            default: 'builtin',
          },
          context,
        )
      : DEFAULT_ANSWERS.music;
    if (music === 'folder') await type('music', 'Music folder (relative to the config file)', (v) => (v ? true : 'a folder path'));
    else a.music = music;
  }
  await pick('database', 'Database', [
    { value: 'embedded', name: 'embedded: in the data folder, one process at a time' },
    { value: 'postgres', name: 'PostgreSQL: for workers on several machines (DATABASE_URL from the environment)' },
  ]);
  await pick('storage', 'Where stills, narration and videos are kept', [
    { value: 'local', name: 'local: the data folder on this machine' },
    { value: 'supabase', name: 'Supabase Storage: shared by workers anywhere (SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY)' },
  ]);
  if (ask && a.storage === 'supabase' && !a.bucket) {
    await type('bucket', 'Supabase bucket', (v) => {
      const r = bucketNameSchema.safeParse(v);
      return r.success || r.error.issues[0].message;
    });
  }
  return { ...DEFAULT_ANSWERS, ...a };
}

/** `init`: asks how this channel is made (or takes flags and `--yes`), writes lost-archives.config.ts, says what is left to do. */
export async function init(g: GlobalOptions, opts: InitOptions): Promise<void> {
  const { yes, force, json, ...given } = opts;
  const ask = !yes && !!process.stdin.isTTY && !!process.stdout.isTTY;
  if (!ask && !yes) {
    throw new UsageError('init asks its questions in a terminal: run it in one, or pass --yes to take the offline defaults for every choice no flag makes (see init --help)');
  }
  if (given.bucket && given.storage === undefined) given.storage = 'supabase';
  const answers = await askAnswers(given, ask).catch((err) => {
    // Ctrl-C at a question: nothing has been written
    if ((err as Error).name === 'ExitPromptError') throw new ExitError(130);
    throw err;
  });
  const result = await writeInitialConfig(answers, { cwd: process.cwd(), file: g.config, force });
  if (json) {
    printJson({
      file: result.file,
      backup: result.backup,
      providers: result.config.providers,
      language: result.config.language,
      video: { width: result.config.video.width, height: result.config.video.height },
      todo: result.todo.map(({ name, detail, fix }) => ({ name, detail, fix })),
    });
    return;
  }
  const out = (line: string) => process.stdout.write(line + '\n');
  out(`wrote ${result.file}${result.backup ? ` (the old file is kept as ${result.backup})` : ''}`);
  const p = result.config.providers;
  out(`  text=${p.text} image=${p.image} speech=${p.speech} publish=${p.publish}, ${result.config.language}, ${result.config.video.width}x${result.config.video.height}`);
  if (result.todo.length) {
    out('still to do:');
    for (const c of result.todo) out(`  - ${c.name}: ${c.detail}${c.fix && !c.detail.includes(c.fix) ? `; ${c.fix}` : ''}`);
  }
  out('then: `lost-archives doctor` checks everything, and `lost-archives run "a topic"` makes a video');
}
