import fs from 'node:fs';
import path from 'node:path';
import { type LoadedConfig, type UserConfig, findConfigFile, loadConfig, parseConfig } from './config.js';
import { PROVIDER_CHOICES } from './config/providers.js';
import { type Check, credentialChecks, toolChecks } from './doctor.js';
import { UsageError } from './errors.js';
import { LANGUAGES, isLanguage } from './languages.js';
import { JOB_TYPES } from './stages/index.js';

/**
 * `init`: the operator's choices, as a first lost-archives.config.ts. Only what was chosen is written
 * (every other key keeps its default); secrets are never asked for, only named in the next steps.
 */

export interface InitAnswers {
  text: (typeof PROVIDER_CHOICES.text)[number];
  image: (typeof PROVIDER_CHOICES.image)[number];
  speech: (typeof PROVIDER_CHOICES.speech)[number];
  publish: (typeof PROVIDER_CHOICES.publish)[number];
  language: string;
  /** landscape 1920x1080, or shorts 1080x1920 */
  shape: 'landscape' | 'shorts';
  /** `builtin`, `none`, or a folder of the operator's tracks (relative to the config file) */
  music: string;
  /** `embedded` (PGlite in the data folder) or `postgres` (DATABASE_URL, from the environment) */
  database: 'embedded' | 'postgres';
  storage: 'local' | 'supabase';
  /** the Supabase bucket, with storage `supabase` */
  bucket?: string;
  /** the youtube publisher's privacy */
  privacy: 'private' | 'unlisted' | 'public';
}

/** The offline set: what a config-less lost-archives does. */
export const DEFAULT_ANSWERS: InitAnswers = {
  text: 'preview',
  image: 'preview',
  speech: 'espeak',
  publish: 'folder',
  language: 'en-US',
  shape: 'landscape',
  music: 'builtin',
  database: 'embedded',
  storage: 'local',
  privacy: 'private',
};

export const DEFAULT_CONFIG_FILE = 'lost-archives.config.ts';

/** The config object the answers stand for: only keys that differ from a bare config's, plus the providers. */
export function answersToConfig(a: InitAnswers): UserConfig {
  const config: UserConfig = { providers: { text: a.text, image: a.image, speech: a.speech, publish: a.publish }, language: a.language };
  const video: NonNullable<UserConfig['video']> = {};
  if (a.shape === 'shorts') Object.assign(video, { width: 1080, height: 1920 });
  if (a.music !== 'builtin') video.music = a.music === 'none' ? 'none' : { folder: a.music };
  if (Object.keys(video).length) config.video = video;
  if (a.storage === 'supabase') config.storage = { kind: 'supabase', bucket: a.bucket ?? '' };
  if (a.publish === 'youtube') config.youtube = { privacy: a.privacy };
  return config;
}

/** Refuses answers the config would refuse, naming the choice and what it takes (exit 2). */
export function validateAnswers(a: InitAnswers): void {
  if (!isLanguage(a.language)) throw new UsageError(`unknown language "${a.language}"; use one of ${Object.keys(LANGUAGES).join(', ')}`);
  if (a.storage === 'supabase' && !a.bucket) throw new UsageError('Supabase storage needs a bucket name (--bucket NAME)');
  parseConfig(answersToConfig(a), 'the answers');
}

const str = (s: string) => (/^[\w .@/:+-]*$/.test(s) ? `'${s}'` : JSON.stringify(s));

/** A config value as a TypeScript literal: strings quoted, keys bare, on one line. */
function literal(v: unknown): string {
  if (typeof v === 'string') return str(v);
  if (v && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${literal(x)}`).join(', ')} }`;
  return String(v);
}

/** What each key init may write means, and what else it could be. */
const KEY_COMMENTS: Record<string, string[]> = {
  providers: [
    '/**',
    " * Who does each part. Offline: text 'preview', image 'preview', speech 'espeak', publish 'folder'.",
    " * Real: text 'gemini', image 'gemini' (GEMINI_API_KEY), speech 'google' (Cloud TTS), publish 'youtube'.",
    ' */',
  ],
  language: ['/** Language of new stories unless `--language` says otherwise. */'],
  video: ['/** 1920x1080 unless set (1080x1920 for Shorts); music: builtin, none, or { folder } of your own tracks. */'],
  storage: ['/** Supabase Storage: SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY come from the environment. */'],
  youtube: ["/** The youtube publisher: 'private', 'unlisted' or 'public' (uploads from an unaudited API project stay private). */"],
};

/** The file's text: the keys `answersToConfig` chose, each with its comment. */
export function configSource(a: InitAnswers, today = new Date()): string {
  const lines = [
    `// Written by \`lost-archives init\` on ${today.toISOString().slice(0, 10)}. Every key left out keeps its default:`,
    '// the README lists them all. Secrets never go here: they come from the environment (DATABASE_URL,',
    '// GEMINI_API_KEY, SUPABASE_SERVICE_ROLE_KEY, YOUTUBE_CLIENT_SECRET, ...).',
    "import { defineConfig } from 'lost-archives';",
    '',
    'export default defineConfig({',
  ];
  Object.entries(answersToConfig(a)).forEach(([key, value], i) => {
    if (i > 0) lines.push('');
    lines.push(...KEY_COMMENTS[key].map((c) => `  ${c}`), `  ${key}: ${literal(value)},`);
  });
  if (a.database === 'postgres') {
    lines.push('', '  // PostgreSQL: the connection string comes from DATABASE_URL (never from here).');
  }
  lines.push('});', '');
  return lines.join('\n');
}

export interface InitResult {
  file: string;
  /** where the file it replaced was kept, or null */
  backup: string | null;
  config: LoadedConfig;
  /** what the chosen providers and database still need, each with its fix */
  todo: Check[];
}

/**
 * Writes the config file (refusing to replace one without `force`, and then keeping the old one as
 * `<file>.bak`), reads it back the way every command will, and lists what is still missing.
 */
export async function writeInitialConfig(a: InitAnswers, opts: { cwd: string; file?: string; force?: boolean; env?: NodeJS.ProcessEnv; today?: Date }): Promise<InitResult> {
  validateAnswers(a);
  const file = path.resolve(opts.cwd, opts.file ?? DEFAULT_CONFIG_FILE);
  // another config in the folder would be read before this one (cosmiconfig's order): say so rather than write a file that is ignored
  const existing = opts.file ? null : findConfigFile(opts.cwd);
  if (existing && path.resolve(existing) !== file) {
    throw new UsageError(`${existing} already configures lost-archives in this folder and would be read instead: edit it, or remove it and run init again`);
  }
  let backup: string | null = null;
  if (fs.existsSync(file)) {
    if (!opts.force) throw new UsageError(`${file} already exists: edit it, or run init --force to replace it (the old file is kept as ${path.basename(file)}.bak)`);
    backup = `${file}.bak`;
    fs.copyFileSync(file, backup);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, configSource(a, opts.today));
  fs.renameSync(tmp, file);
  const config = await loadConfig({ cwd: opts.cwd, configPath: file, env: opts.env });
  const env = opts.env ?? process.env;
  const todo = [...(await credentialChecks(config, JOB_TYPES, env)), ...(await toolChecks(config, JOB_TYPES))].filter((c) => !c.ok);
  if (a.database === 'postgres' && !env.DATABASE_URL) {
    todo.push({ name: 'database', ok: false, detail: 'DATABASE_URL is not set', fix: 'export DATABASE_URL=postgres://user@host:5432/db, then run `lost-archives db migrate`' });
  }
  return { file, backup, config, todo };
}
