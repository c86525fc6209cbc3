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

  /** The offline set: nothing here needs an account or the network. */
  providers: { text: 'preview', image: 'preview', speech: 'espeak', publish: 'folder' },

  /** The `folder` publisher writes `<publishDir>/<story-id>/{video.mp4,thumbnail.jpg,captions.srt,metadata.json}`. */
  publishDir: 'published',

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
});
