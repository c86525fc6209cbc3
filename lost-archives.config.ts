// An example configuration, documented. Every key is optional: without this file lost-archives uses
// exactly these defaults. Secrets never go here: they come from the environment (DATABASE_URL, ...).
import { defineConfig } from 'lost-archives';

export default defineConfig({
  /** Embedded database and local storage live here (relative to this file). */
  dataDir: '.lost-archives',

  /** Absent: the embedded PGlite database (one process at a time). Set DATABASE_URL for PostgreSQL 14+. */
  database: { url: process.env.DATABASE_URL, poolSize: 5 },

  /** Where stills, narration, subtitles and videos are kept: `<dataDir>/storage`. */
  storage: { kind: 'local' },

  /** The offline set: nothing here needs an account or the network. `publish: 'youtube'` uploads to the channel. */
  providers: { text: 'preview', image: 'preview', speech: 'espeak', publish: 'folder' },

  /** The `folder` publisher writes `<publishDir>/<story-id>/{video.mp4,thumbnail.jpg,captions.srt,metadata.json}`. */
  publishDir: 'published',

  /**
   * The `youtube` publisher. The OAuth client comes from YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET (never
   * from here); `lost-archives auth youtube` stores the channel's refresh token in `tokenFile`.
   */
  youtube: {
    rootUrl: 'https://youtube.googleapis.com/', // a proxy, or a fake in tests
    oauth: { authUrl: 'https://accounts.google.com/o/oauth2/v2/auth', tokenUrl: 'https://oauth2.googleapis.com/token' },
    // tokenFile: '~/.config/lost-archives/youtube.json' is the default (outside the repository, mode 0600)
    privacy: 'private', // 'unlisted' | 'public'; an unaudited API project's uploads stay private whatever this says
    // publishAt: { hoursAfterUpload: 24 }, // or an ISO time; needs privacy 'private'
    categoryId: '27', // Education
    // defaultLanguage: 'en-US', // default: the story's language (also the captions' language)
    madeForKids: false,
    containsSyntheticMedia: true, // the altered-or-synthetic-content disclosure
    // playlistId: 'PL...', // add every video to this playlist
    captions: true, // upload the SRT as a captions track
    chunkBytes: 8 * 1024 * 1024, // per upload request, a multiple of 256 KiB
    quota: { uploadsPerDay: 100, unitsPerDay: 10_000 }, // the project's daily quota (reset at midnight Pacific)
  },

  /** Language of new stories unless `--language` says otherwise. */
  language: 'en-US',

  video: {
    width: 1920, // 1080 with height 1920 for Shorts
    height: 1080,
    fps: 30,
    subtitles: 'burn', // or 'none': the SRT is delivered either way
    music: 'builtin', // a generated ambient bed; 'none'; or { folder: 'music' } for your own tracks
    transitionSeconds: 0.5,
    preset: 'veryfast', // x264 preset: superfast ... slow
  },

  /** Scenes drawn or narrated at once within one stage. */
  sceneConcurrency: 4,

  queue: {
    maxAttempts: 3, // claims per job before it fails for good
    leaseSeconds: 120, // a silent worker's job is reclaimed after this
    listen: true, // LISTEN/NOTIFY wake-ups; false behind a transaction pooler
    pollSeconds: 2, // fallback poll, ±25% jitter
    graceSeconds: 30, // on SIGTERM: time for running jobs before they are handed back
    backoffBaseSeconds: 5, // retry delay doubles from here, with jitter
    backoffMaxSeconds: 600,
  },

  /** `lost-archives serve`, the HTTP API. API keys come from LOST_ARCHIVES_API_KEYS, never from here. */
  serve: {
    port: 8080, // --port wins
    host: '127.0.0.1', // --host wins; anything but loopback needs LOST_ARCHIVES_API_KEYS
    rateLimit: { max: 10, windowSeconds: 60 }, // POST /stories per API key
  },
});
