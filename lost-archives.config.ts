// An example configuration, documented. Every key is optional: without this file lost-archives uses
// exactly these defaults. Secrets never go here: they come from the environment (DATABASE_URL, ...).
import { defineConfig } from 'lost-archives';

export default defineConfig({
  /** Embedded database and local storage live here (relative to this file). */
  dataDir: '.lost-archives',

  /** Absent: the embedded PGlite database (one process at a time). Set DATABASE_URL for PostgreSQL 14+. */
  database: { url: process.env.DATABASE_URL, poolSize: 5 },

  /**
   * Where stills, narration, subtitles and videos are kept: `<dataDir>/storage`. For workers on several
   * machines: { kind: 'supabase', bucket: 'lost-archives' } (SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY
   * from the environment; private buckets get signed URLs, files above 6 MB go up resumably).
   */
  storage: { kind: 'local' },

  /**
   * The offline set: nothing here needs an account or the network. Real ones: text 'gemini',
   * image 'gemini' (GEMINI_API_KEY), speech 'google' (Cloud TTS, Application Default Credentials),
   * publish 'youtube' (uploads to the channel authorised with `lost-archives auth youtube`).
   * Real archival pictures first, generated ones where none fits: image ['archive', 'gemini'] (needs archives.userAgent).
   */
  providers: { text: 'preview', image: 'preview', speech: 'espeak', publish: 'folder' },

  /**
   * The `archive` image provider: Wikimedia Commons and the Library of Congress. Both ask for a User-Agent
   * with your contact; answers are cached in storage, one request at a time per archive.
   */
  // archives: { userAgent: 'MyChannelBot/1.0 (https://example.org/contact; ops@example.org)' },

  /** The `folder` publisher writes `<publishDir>/<story-id>/{video.mp4,thumbnail.jpg,captions.srt,metadata.json,credits.json}`. */
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
    // schedule: { days: ['tue', 'fri'], time: '17:00', timezone: 'Europe/Berlin' }, // or a list: each video takes the next free slot
    categoryId: '27', // Education
    // defaultLanguage: 'en-US', // title and description; default: the story's language (audio and captions always are)
    madeForKids: false,
    containsSyntheticMedia: true, // the altered-or-synthetic-content disclosure
    // playlistId: 'PL...', // add every video to this playlist
    captions: true, // upload the SRT as a captions track
    chunkBytes: 8 * 1024 * 1024, // per upload request, a multiple of 256 KiB
    quota: { uploadsPerDay: 100, unitsPerDay: 10_000 }, // the project's daily quota (reset at midnight Pacific)
  },

  /** `approval: true` holds every new story's upload after its render until `lost-archives approve ID`. */
  publish: { approval: false },

  /** Language of new stories unless `--language` says otherwise. */
  language: 'en-US',

  video: {
    width: 1920, // 1080 with height 1920 for Shorts
    height: 1080,
    fps: 30,
    subtitles: 'burn', // or 'none': the SRT is delivered either way
    music: 'builtin', // a generated ambient bed; 'none'; or { folder: 'music' } for your own tracks
    transitionSeconds: 0.5,
    profile: 'youtube', // YouTube's recommended upload settings; 'draft' for small quick looks
    preset: 'veryfast', // x264 preset: superfast ... slow
    // processes: 2,     // ffmpeg processes rendering parts at once (default: CPU cores, at most 4)
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

  /** The Google providers (used only when chosen above). Keys come from the environment, never from here. */
  google: {
    // Google retires model ids often: see https://ai.google.dev/gemini-api/docs/deprecations
    models: { text: 'gemini-3.8-flash', image: 'gemini-3.1-flash-image' }, // image: 'gemini-3-pro-image' for the top tier
    voices: { 'en-US': 'en-US-Neural2-D' }, // per story language, over the built-in defaults; e.g. 'en-US-Chirp3-HD-Kore'
    speakingRate: 1, // 0.25 to 4; Chirp 3 HD voices 0.25 to 2
    audioEncoding: 'LINEAR16', // or 'MP3' (decoded to WAV locally)
    sentencePauseSeconds: 0.3, // between sentences of voices spoken sentence by sentence (Chirp 3 HD)
    endpoints: {}, // { gemini: 'https://generativelanguage.googleapis.com', tts: 'https://texttospeech.googleapis.com' }
    concurrency: { text: 2, image: 4, speech: 4 }, // calls in flight per provider, per process
    retry: { attempts: 4, baseSeconds: 1, maxSeconds: 30 }, // 429/5xx within one call, then the queue
    targetMinutes: 8, // narration length the script is written for
    prices: {}, // USD over the built-in table, e.g. { 'gemini-3.5-flash': { inputPerMillionTokens: 1.5, outputPerMillionTokens: 9, perSearchQuery: 0.014 } }
  },
  /** The gemini writer researches with Google Search; unsupported claims: 'off' (not checked), 'warn' (shown), 'block' (the story fails). */
  research: { factCheck: 'warn' },
});
