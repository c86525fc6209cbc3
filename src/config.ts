import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cosmiconfig, getDefaultSearchPlaces } from 'cosmiconfig';
import { createJiti } from 'jiti';
import { z } from 'zod';
import { UsageError } from './errors.js';
import { archivesSchema, requireArchiveContact } from './config/archives.js';
import { googleSchema } from './config/google.js';
import { configParseError } from './config/parse-errors.js';
import { providersSchema } from './config/providers.js';
import { publishSchema } from './config/publish.js';
import { queueSchema } from './config/queue.js';
import { researchSchema } from './config/research.js';
import { serveSchema } from './config/serve.js';
import { storageSchema } from './config/storage.js';
import { videoSchema } from './config/video.js';
import { youtubeSchema } from './config/youtube.js';

const configSchema = z.strictObject({
  /** Folder for the embedded database and local storage. Default `.lost-archives` (relative to the config file or cwd). */
  dataDir: z.string().min(1).default('.lost-archives'),
  database: z
    .strictObject({
      /** PostgreSQL 14+ connection string. Absent: the embedded PGlite database. `DATABASE_URL` wins. */
      url: z.string().min(1).optional(),
      /** Connections per process. Default 5. */
      poolSize: z.number().int().min(2).max(100).default(5),
    })
    .prefault({}),
  /** Where stills, narration, subtitles, videos and thumbnails are kept. Default `{ kind: 'local' }`. */
  storage: storageSchema.default({ kind: 'local' }),
  providers: providersSchema,
  /** Folder the `folder` publisher writes to. Default `published`. */
  publishDir: z.string().min(1).default('published'),
  /** The `youtube` publisher. Client id and secret come from `YOUTUBE_CLIENT_ID` and `YOUTUBE_CLIENT_SECRET`, never from here. */
  youtube: youtubeSchema.prefault({}),
  /** Between render and upload: the approval gate. */
  publish: publishSchema.prefault({}),
  /** Default language of new stories. Default `en-US`. */
  language: z.string().default('en-US'),
  video: videoSchema,
  /** How many scenes a stage works on at once. Default 4. */
  sceneConcurrency: z.number().int().min(1).max(64).default(4),
  queue: queueSchema.prefault({}),
  /** The HTTP API (`lost-archives serve`). */
  serve: serveSchema.prefault({}),
  /**
   * The Google providers: models, voices, endpoints, limits and prices. Credentials come from the
   * environment only (Vertex AI: GOOGLE_CLOUD_PROJECT, and GOOGLE_CLOUD_LOCATION, default `global`).
   */
  google: googleSchema.prefault({}),
  /** Research: the fact-check of scripts against their sources (`factCheck`: off, warn, block). */
  research: researchSchema.prefault({}),
  /** The `archive` image provider: API roots, the User-Agent with your contact, politeness. */
  archives: archivesSchema.prefault({}),
}).check(requireArchiveContact);

export type Config = z.output<typeof configSchema>;
export type UserConfig = z.input<typeof configSchema>;
export type LoadedConfig = Config & { /** where the config came from, or null for defaults */ source: string | null; baseDir: string };

/** Types a config file: `export default defineConfig({ ... })`. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

const here = path.dirname(fileURLToPath(import.meta.url));

function loadTs(filepath: string): Promise<unknown> {
  // Config files import `defineConfig` from 'lost-archives'; resolve it to this very package.
  const jiti = createJiti(import.meta.url, {
    alias: { 'lost-archives': path.join(here, 'index.js') },
    moduleCache: false,
    fsCache: false,
  });
  return jiti.import(filepath, { default: true });
}

const explorer = () =>
  cosmiconfig('lost-archives', {
    searchStrategy: 'none',
    loaders: { '.ts': loadTs, '.mts': loadTs, '.cts': loadTs },
  });

/** The config file cosmiconfig would read in `cwd` (the first of its usual places there), or null; nothing is parsed. */
export function findConfigFile(cwd: string): string | null {
  for (const place of getDefaultSearchPlaces('lost-archives')) {
    const file = path.join(cwd, place);
    if (!fs.existsSync(file)) continue;
    if (place !== 'package.json') return file;
    try {
      if (Object.hasOwn(JSON.parse(fs.readFileSync(file, 'utf8')) ?? {}, 'lost-archives')) return file;
    } catch {
      /* a package.json that is not JSON configures nothing */
    }
  }
  return null;
}

/** Formats every problem zod found, naming the key and what it expects. */
export function formatIssues(issues: z.core.$ZodIssue[], where: string): string {
  const lines = issues.map((i) => {
    const key = i.path.length ? i.path.join('.') : '(top level)';
    return `  - ${key}: ${i.message}`;
  });
  return `invalid configuration in ${where}:\n${lines.join('\n')}`;
}

export function parseConfig(raw: unknown, where: string): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) throw new UsageError(formatIssues(result.error.issues, where));
  return result.data;
}

/**
 * Finds and validates the configuration: `--config PATH`, or cosmiconfig's usual places in `cwd`
 * (`lost-archives.config.ts`, `.lost-archivesrc.json`, the `lost-archives` key of package.json, ...).
 * Environment: `DATABASE_URL` overrides `database.url`.
 */
export async function loadConfig(opts: { cwd?: string; configPath?: string; env?: NodeJS.ProcessEnv } = {}): Promise<LoadedConfig> {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  let raw: unknown = {};
  let source: string | null = null;
  try {
    const found = opts.configPath
      ? await explorer().load(path.resolve(cwd, opts.configPath))
      : await explorer().search(cwd);
    if (found && !found.isEmpty) {
      raw = found.config;
      source = found.filepath;
    } else if (found) source = found.filepath;
  } catch (err) {
    const where = opts.configPath ?? 'the configuration file';
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new UsageError(`config file not found: ${where}`);
    const file = (err as { filepath?: string }).filepath ?? (opts.configPath ? path.resolve(cwd, opts.configPath) : where);
    throw new UsageError(`cannot read the config file ${configParseError(err, file)}`);
  }
  const config = parseConfig(raw, source ?? 'defaults');
  if (env.DATABASE_URL) config.database.url = env.DATABASE_URL;
  const baseDir = source ? path.dirname(source) : cwd;
  config.dataDir = path.resolve(baseDir, config.dataDir);
  config.publishDir = path.resolve(baseDir, config.publishDir);
  if (config.youtube.tokenFile) config.youtube.tokenFile = path.resolve(baseDir, config.youtube.tokenFile);
  if (typeof config.video.music === 'object') config.video.music = { folder: path.resolve(baseDir, config.video.music.folder) };
  return { ...config, source, baseDir };
}
