import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cosmiconfig, getDefaultSearchPlaces } from 'cosmiconfig';
import { createJiti } from 'jiti';
import { z } from 'zod';
import { UsageError } from './errors.js';
import { speakingRateRange } from './providers/speech/voices.js';

/** The providers each kind of work can be given to (`providers` in the config). */
export const PROVIDER_CHOICES = {
  text: ['preview', 'gemini'],
  image: ['preview', 'gemini'],
  speech: ['espeak', 'google'],
  publish: ['folder', 'youtube'],
} as const;

const queueSchema = z.strictObject({
  /** How many times a job may be claimed before it fails for good. Default 3. */
  maxAttempts: z.number().int().min(1).max(100).default(3),
  /** How long a claimed job stays owned without a heartbeat, in seconds. Default 120. */
  leaseSeconds: z.number().min(1).max(86_400).default(120),
  /** Wake idle workers at once with LISTEN/NOTIFY. Set false behind a transaction pooler (polling only). Default true. */
  listen: z.boolean().default(true),
  /** Idle workers poll this often (with ±25% jitter) when no NOTIFY arrives, in seconds. Default 2. */
  pollSeconds: z.number().min(0.05).max(3600).default(2),
  /** On SIGTERM/SIGINT a worker lets its jobs finish for this long before handing them back. Default 30. */
  graceSeconds: z.number().min(0).max(3600).default(30),
  /** First retry delay in seconds; doubles each attempt, with jitter. Default 5. */
  backoffBaseSeconds: z.number().min(0).max(86_400).default(5),
  /** Longest retry delay in seconds. Default 600. */
  backoffMaxSeconds: z.number().min(0).max(86_400).default(600),
});

const serveSchema = z.strictObject({
  /** Port `serve` listens on; `--port` wins. Default 8080. */
  port: z.number().int().min(0).max(65_535).default(8080),
  /** Address `serve` listens on; `--host` wins. Anything but loopback needs `LOST_ARCHIVES_API_KEYS`. Default `127.0.0.1`. */
  host: z.string().min(1).default('127.0.0.1'),
  rateLimit: z
    .strictObject({
      /** New stories (`POST /stories`) one API key may create per window. Default 10. */
      max: z.number().int().min(1).max(100_000).default(10),
      /** The window, in seconds. Default 60. */
      windowSeconds: z.number().min(1).max(86_400).default(60),
    })
    .prefault({}),
});

/** A Supabase Storage bucket name (the rule `storage.bucket` and init's question share). */
export const bucketNameSchema = z.string().min(3).max(63).regex(/^[a-z0-9][a-z0-9._-]*$/, 'a bucket name: lowercase letters, digits, dots, dashes, underscores');

const supabaseStorageSchema = z.strictObject({
  /** Supabase Storage: `SUPABASE_URL` and `SUPABASE_SERVICE_ROLE_KEY` come from the environment only. */
  kind: z.literal('supabase'),
  /** Bucket the files go to (create it first, in the dashboard or with `supabase storage`). */
  bucket: bucketNameSchema,
  /** A public bucket: rows keep permanent public URLs. Default false: rows keep signed URLs that expire after `signedUrlSeconds`. */
  public: z.boolean().default(false),
  /** How long signed URLs (private buckets) stay valid, in seconds. Default 604800 (7 days). */
  signedUrlSeconds: z.number().int().min(60).max(31_536_000).default(604_800),
  /** Files above this many MB go up with the resumable (TUS) upload in 6 MB chunks. Default 6. */
  resumableAboveMB: z.number().min(0).max(5_000).default(6),
});

const storageSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    /** `local`: files under `<dataDir>/storage`; shared by processes on one machine (or a shared mount) only. */
    kind: z.literal('local'),
  }),
  supabaseStorageSchema,
]);
export type StorageConfig = z.output<typeof storageSchema>;

/** USD prices of one model or voice type; a call is priced by what it used. */
const priceSchema = z.strictObject({
  /** per million input (prompt) tokens */
  inputPerMillionTokens: z.number().min(0).optional(),
  /** per million output tokens (thinking tokens count as output) */
  outputPerMillionTokens: z.number().min(0).optional(),
  /** per generated image */
  perImage: z.number().min(0).optional(),
  /** per million characters synthesised */
  perMillionCharacters: z.number().min(0).optional(),
});
export type Price = z.output<typeof priceSchema>;

const googleSchema = z.strictObject({
  models: z
    .strictObject({
      /**
       * Gemini model that writes scripts and metadata. Default `gemini-3.8-flash` (the newest GA Flash model
       * in November 2026; Google retires ids often). On Vertex AI current models are served from the `global`
       * location only, which is used unless GOOGLE_CLOUD_LOCATION names another (a region answers 404).
       */
      text: z.string().min(1).default('gemini-3.8-flash'),
      /** Gemini image model (generateContent with image output). Default `gemini-3.1-flash-image`; `gemini-3-pro-image` for the top tier. */
      image: z.string().min(1).default('gemini-3.1-flash-image'),
    })
    .prefault({}),
  /**
   * Cloud TTS voice per story language, e.g. `{ 'en-US': 'en-US-Chirp3-HD-Kore' }`; merged over the
   * built-in defaults (Neural2 or WaveNet voices). The voice name's prefix is the language code sent.
   */
  voices: z.record(z.string(), z.string().regex(/^[a-z]{2,3}-[A-Z]{2}-/, 'a Cloud TTS voice name such as en-US-Neural2-D')).default({}),
  /** Speaking rate, 0.25 to 4 (Chirp 3 HD voices: 0.25 to 2). Default 1. */
  speakingRate: z.number().min(0.25).max(4).default(1),
  /** What Cloud TTS returns: `LINEAR16` (WAV, exact lengths) or `MP3` (decoded to WAV locally). Default `LINEAR16`. */
  audioEncoding: z.enum(['LINEAR16', 'MP3']).default('LINEAR16'),
  /** Silence between sentences when they are synthesised one by one (Chirp 3 HD voices), seconds. Default 0.3. */
  sentencePauseSeconds: z.number().min(0).max(3).default(0.3),
  endpoints: z
    .strictObject({
      /** Gemini API base URL (proxies, tests). Default `https://generativelanguage.googleapis.com`. */
      gemini: z.url().optional(),
      /** Cloud TTS endpoint URL (regional endpoints, proxies, tests). Default `https://texttospeech.googleapis.com`. */
      tts: z.url().optional(),
    })
    .prefault({}),
  /** Calls in flight at once per provider, in this process. Defaults text 2, image 4, speech 4. */
  concurrency: z
    .strictObject({
      text: z.number().int().min(1).max(64).default(2),
      image: z.number().int().min(1).max(64).default(4),
      speech: z.number().int().min(1).max(64).default(4),
    })
    .prefault({}),
  /** Retries of one call after 429/5xx (backoff with jitter, honouring Retry-After), before the job goes back to the queue. */
  retry: z
    .strictObject({
      /** Tries per call, the first included. Default 4. */
      attempts: z.number().int().min(1).max(20).default(4),
      /** First delay in seconds; doubles each try, ±25% jitter. Default 1. */
      baseSeconds: z.number().min(0).max(600).default(1),
      /** Longest delay in seconds (a longer Retry-After hands the job back to the queue). Default 30. */
      maxSeconds: z.number().min(0).max(3600).default(30),
    })
    .prefault({}),
  /** Length the script is written for, in minutes of narration. Default 8. */
  targetMinutes: z.number().min(1).max(60).default(8),
  /**
   * USD prices by model id or TTS voice type (`Neural2`, `Wavenet`, `Chirp3-HD`, `Standard`, `Studio`),
   * merged over the built-in table (see README for its date).
   */
  prices: z.record(z.string(), priceSchema).default({}),
}).superRefine((g, ctx) => {
  // a rate the chosen voice refuses would fail every narration: say so before anything is queued
  for (const [language, voice] of Object.entries(g.voices)) {
    const r = speakingRateRange(voice);
    if (g.speakingRate < r.min || g.speakingRate > r.max) {
      ctx.addIssue({
        code: 'custom',
        path: ['speakingRate'],
        message: `is ${g.speakingRate}, but ${r.family} voices accept ${r.min} to ${r.max} (google.voices['${language}'] is ${voice}): set google.speakingRate within that range or choose another voice`,
      });
    }
  }
});

const CHUNK_UNIT = 256 * 1024;

const youtubeSchema = z.strictObject({
  /** Root URL of the YouTube Data API (a proxy, or a fake in tests). Default `https://youtube.googleapis.com/`. */
  rootUrl: z.url().default('https://youtube.googleapis.com/'),
  oauth: z
    .strictObject({
      /** Where `auth youtube` sends the browser. Default `https://accounts.google.com/o/oauth2/v2/auth`. */
      authUrl: z.url().default('https://accounts.google.com/o/oauth2/v2/auth'),
      /** Where codes and refresh tokens are exchanged for access tokens. Default `https://oauth2.googleapis.com/token`. */
      tokenUrl: z.url().default('https://oauth2.googleapis.com/token'),
    })
    .prefault({}),
  /**
   * The stored authorisation (refresh token), written by `auth youtube` with mode 0600. Keep it outside
   * the repository. Default `~/.config/lost-archives/youtube.json` (`$XDG_CONFIG_HOME` when set).
   */
  tokenFile: z.string().min(1).optional(),
  /** `private`, `unlisted` or `public`. Default `private` (uploads from an unaudited API project are private anyway). */
  privacy: z.enum(['private', 'unlisted', 'public']).default('private'),
  /**
   * Publish later: an ISO 8601 time (`2026-12-01T17:00:00Z`), or a delay after the upload in hours
   * (`{ hoursAfterUpload: 24 }`). Needs privacy `private`; YouTube makes the video public then. Default: none.
   */
  publishAt: z.union([z.iso.datetime({ offset: true }), z.strictObject({ hoursAfterUpload: z.number().positive().max(24 * 365) })]).optional(),
  /** Video category id (27 Education, 22 People & Blogs, 24 Entertainment). Default `27`. */
  categoryId: z.string().regex(/^\d+$/).default('27'),
  /** The language of the title and description. Default: the story's language (always the audio's and the captions' language). */
  defaultLanguage: z.string().min(2).optional(),
  /** Declares the videos made for children (COPPA). Default false. */
  madeForKids: z.boolean().default(false),
  /** Discloses altered or synthetic content (realistic AI voices and images). Default true. */
  containsSyntheticMedia: z.boolean().default(true),
  /** Adds every video to this playlist. Default: none. */
  playlistId: z.string().min(1).optional(),
  /** Uploads the captions track from the story's SRT. Default true. */
  captions: z.boolean().default(true),
  /** Bytes per upload request: a multiple of 256 KiB. Default 8 MiB. */
  chunkBytes: z
    .number()
    .int()
    .min(CHUNK_UNIT)
    .refine((n) => n % CHUNK_UNIT === 0, 'must be a multiple of 262144 (256 KiB)')
    .default(32 * CHUNK_UNIT),
  quota: z
    .strictObject({
      /** `videos.insert` calls a day (their own bucket since 2026-06-01). Default 100. */
      uploadsPerDay: z.number().int().min(0).default(100),
      /** Units a day for every other call (captions.insert 400, thumbnails.set 50, playlistItems.insert 50). Default 10000. */
      unitsPerDay: z.number().int().min(0).default(10_000),
    })
    .prefault({}),
}).check((ctx) => {
  if (ctx.value.publishAt !== undefined && ctx.value.privacy !== 'private') {
    ctx.issues.push({ code: 'custom', input: ctx.value.privacy, path: ['privacy'], message: "publishAt needs privacy 'private' (YouTube makes the video public at that time)" });
  }
});

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
  providers: z
    .strictObject({
      /** Script and metadata writer. `preview`: deterministic offline writer; `gemini`: Gemini (GEMINI_API_KEY). */
      text: z.enum(PROVIDER_CHOICES.text).default('preview'),
      /** Scene stills. `preview`: archival-look stills drawn locally with ffmpeg; `gemini`: Gemini image models. */
      image: z.enum(PROVIDER_CHOICES.image).default('preview'),
      /** Narration. `espeak`: espeak-ng, sentence by sentence; `google`: Cloud Text-to-Speech (Application Default Credentials). */
      speech: z.enum(PROVIDER_CHOICES.speech).default('espeak'),
      /**
       * Where finished videos go. `folder`: `<publishDir>/<story-id>/`; `youtube`: uploaded to the channel
       * authorised with `lost-archives auth youtube` (settings in `youtube`). Default `folder`.
       */
      publish: z.enum(PROVIDER_CHOICES.publish).default('folder'),
    })
    .prefault({}),
  /** Folder the `folder` publisher writes to. Default `published`. */
  publishDir: z.string().min(1).default('published'),
  /** The `youtube` publisher. Client id and secret come from `YOUTUBE_CLIENT_ID` and `YOUTUBE_CLIENT_SECRET`, never from here. */
  youtube: youtubeSchema.prefault({}),
  /** Default language of new stories. Default `en-US`. */
  language: z.string().default('en-US'),
  video: z
    .strictObject({
      /** Frame width in pixels. Default 1920 (use 1080 with height 1920 for Shorts). */
      width: z.number().int().min(64).max(7680).default(1920),
      /** Frame height in pixels. Default 1080. */
      height: z.number().int().min(64).max(7680).default(1080),
      /** Frames per second. Default 30. */
      fps: z.number().int().min(1).max(120).default(30),
      /** `burn`: subtitles drawn into the picture (and an SRT delivered); `none`: SRT only. Default `burn`. */
      subtitles: z.enum(['burn', 'none']).default('burn'),
      /**
       * Background music, ducked under the narration. `builtin`: an ambient pad generated locally;
       * `none`; or `{ folder: 'music' }`: one of the operator's tracks, chosen per story. Default `builtin`.
       */
      music: z.union([z.enum(['builtin', 'none']), z.strictObject({ folder: z.string().min(1) })]).default('builtin'),
      /** Crossfade between scenes, in seconds. Default 0.5. */
      transitionSeconds: z.number().min(0).max(5).default(0.5),
      /**
       * Encoder settings. `youtube`: YouTube's recommended upload settings (closed GOPs of half a second,
       * at most 2 B-frames, BT.709 tags, YouTube's recommended average bitrate for the frame size: 8 Mbps
       * at 1080p30). `draft`: a quick look at a fraction of the size (CRF 23, x264's own keyframes). Default `youtube`.
       */
      profile: z.enum(['youtube', 'draft']).default('youtube'),
      /** x264 preset. Default `veryfast`. */
      preset: z.enum(['superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow']).default('veryfast'),
      /**
       * ffmpeg processes that render parts of the video at once (joined afterwards without re-encoding):
       * one keeps about one and a half cores busy. Default: the number of CPU cores, at most 4.
       */
      processes: z.number().int().min(1).max(16).default(() => Math.min(4, os.availableParallelism())),
    })
    .prefault({}),
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
});

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
    throw new UsageError(`cannot read ${where}: ${(err as Error).message.split('\n')[0]}`);
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
