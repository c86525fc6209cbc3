import { z } from 'zod';
import { scheduleSchema } from './schedule.js';

const CHUNK_UNIT = 256 * 1024;

export const youtubeSchema = z.strictObject({
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
  /**
   * The publishing calendar: `{ days: ['tue', 'fri'], time: '17:00', timezone: 'Europe/Berlin' }` or a
   * list. A story without its own publish time takes the next free slot when its upload is queued
   * (uploaded private, public at the slot). Not with `publishAt`. Default: none.
   */
  schedule: scheduleSchema.optional(),
  /** Video category id (27 Education, 22 People & Blogs, 24 Entertainment). Default `27`. */
  categoryId: z.string().regex(/^\d+$/).default('27'),
  /** The language of the title and description. Default: the story's language (always the audio's and the captions' language). */
  defaultLanguage: z.string().min(2).optional(),
  /** Declares the videos made for children (COPPA). Default false. */
  madeForKids: z.boolean().default(false),
  /**
   * Overrides the altered-or-synthetic-content disclosure. Default: decided per story from what it uses,
   * true when any still was generated (Gemini or the offline preview) or is of unknown origin, false only
   * when every still is an archival picture. Set `true` to disclose always (e.g. for a synthetic narrator voice).
   */
  containsSyntheticMedia: z.boolean().optional(),
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
  if (ctx.value.schedule !== undefined && (ctx.value.publishAt !== undefined || ctx.value.privacy !== 'private')) {
    ctx.issues.push({ code: 'custom', input: ctx.value.schedule, path: ['schedule'], message: "schedule needs privacy 'private' and no publishAt (each video goes public at its slot)" });
  }
});
