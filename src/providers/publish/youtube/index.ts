import fs from 'node:fs';
import { youtube as youtubeApi } from '@googleapis/youtube';
import type { Config } from '../../../config.js';
import { setPublished } from '../../../db/stories.js';
import { PermanentError } from '../../../errors.js';
import type { PublishRequest, Publisher } from '../../types.js';
import { authorisedClient } from './client.js';
import { classify } from './errors.js';
import { COSTS, type Call, QuotaLedger } from './quota.js';
import { loadUpload, saveUpload } from './state.js';
import { SessionGoneError, openSession, sendFile } from './upload.js';

export interface YoutubeOptions {
  env?: NodeJS.ProcessEnv;
  /** First wait between in-process upload retries. Default 1000 ms. */
  backoffMs?: number;
  now?: () => Date;
}

export const videoUrl = (id: string) => `https://www.youtube.com/watch?v=${id}`;

/** The video resource sent with the upload: metadata from the story, settings from `youtube` in the config. */
export function videoResource(
  req: Pick<PublishRequest, 'story' | 'metadata'>,
  settings: Config['youtube'],
  now: Date,
  own: { privacy: 'private' | 'unlisted' | 'public' | null; publish_at: Date | null } = { privacy: null, publish_at: null },
): object {
  // the narration and its captions are in the story's language whatever the title's language is set to
  const language = settings.defaultLanguage ?? req.story.language;
  const at = settings.publishAt;
  const configured = at === undefined ? undefined : typeof at === 'string' ? new Date(at) : new Date(now.getTime() + at.hoursAfterUpload * 3600_000);
  // the story's own settings win; its own privacy without a time of its own drops the configured schedule
  const publishAt = own.publish_at ?? (own.privacy && own.privacy !== 'private' ? undefined : configured);
  const privacy = own.privacy ?? settings.privacy;
  return {
    snippet: {
      title: req.metadata.title,
      description: req.metadata.description,
      tags: req.metadata.tags,
      categoryId: settings.categoryId,
      defaultLanguage: language,
      defaultAudioLanguage: req.story.language,
    },
    status: {
      // a schedule whose time passed while the job waited (quota) is kept by publishing at once
      privacyStatus: publishAt ? (publishAt > now ? 'private' : 'public') : privacy,
      ...(publishAt && publishAt > now ? { publishAt: publishAt.toISOString() } : {}),
      selfDeclaredMadeForKids: settings.madeForKids,
      containsSyntheticMedia: settings.containsSyntheticMedia,
    },
  };
}

/** Units the calls after the upload will spend: thumbnail, captions (when on), playlist (when set). */
export function followUpUnits(settings: Config['youtube']): number {
  const calls: Call[] = ['thumbnails.set'];
  if (settings.captions) calls.push('captions.insert');
  if (settings.playlistId) calls.push('playlistItems.insert');
  return calls.reduce((sum, c) => sum + COSTS[c].cost, 0);
}

/** Recorded before the playlist insert is sent: a retry that finds it asks YouTube before inserting again. */
const PLAYLIST_PENDING = 'pending';

/**
 * Publishes to YouTube: a resumable upload of the video, then its thumbnail, captions track and playlist
 * entry. Each step is recorded as soon as YouTube confirms it, so a retried job resumes the upload
 * session or skips what is done, and never creates a second video.
 */
export function youtubePublisher(config: Config, opts: YoutubeOptions = {}): Publisher {
  const settings = config.youtube;
  const rootUrl = settings.rootUrl;
  return {
    name: 'youtube',
    async publish(req, signal) {
      const { story, db } = req;
      const now = opts.now ?? (() => new Date());
      const ledger = new QuotaLedger(db, settings.quota, now);
      const client = authorisedClient(config, opts.env);
      const api = youtubeApi({ version: 'v3', auth: client });
      const attempt = async <T>(call: Call, fn: () => Promise<T>): Promise<T> => {
        try {
          return await fn();
        } catch (err) {
          if (signal.aborted) throw signal.reason;
          if (err instanceof SessionGoneError) throw err;
          throw await classify(err, call, ledger);
        }
      };
      let state = await loadUpload(db, story.id);

      if (!state.video_id) {
        const videoFile = await req.file('video');
        const size = (await fs.promises.stat(videoFile)).size;
        let session = state.total_bytes === size ? state.session_uri : null;
        for (;;) {
          const fresh = !session;
          if (!session) {
            await ledger.requireUnits(followUpUnits(settings), 'videos.insert');
            await ledger.spend('videos.insert');
            req.progress('opening the upload session');
            const resource = videoResource(req, settings, now(), state);
            session = await attempt('videos.insert', () => openSession(client, rootUrl, resource, { size, contentType: 'video/mp4' }, signal));
            await saveUpload(db, story.id, { session_uri: session, total_bytes: size });
          }
          try {
            const video = await attempt('videos.insert', () =>
              sendFile(client, session!, videoFile, size, {
                chunkBytes: settings.chunkBytes,
                signal,
                fresh,
                backoffMs: opts.backoffMs,
                onProgress: (sent, total) => req.progress(`uploading ${Math.floor((sent / total) * 100)}% of ${(total / 1e6).toFixed(1)} MB`),
              }),
            );
            state = { ...state, video_id: video.id };
            await saveUpload(db, story.id, { video_id: video.id, session_uri: null });
            await setPublished(db, story.id, { id: video.id, url: videoUrl(video.id) });
            break;
          } catch (err) {
            if (!(err instanceof SessionGoneError)) throw err;
            // a session opened just now that is already gone is not an expiry: something between here and
            // YouTube (a proxy, youtube.rootUrl) answers 404; opening more would spend the day's uploads
            if (fresh) throw new PermanentError(`${err.message} right after it was opened: check youtube.rootUrl and any proxy in between`);
            // expired or unknown session: nothing was created with it; open a new one
            session = null;
            await saveUpload(db, story.id, { session_uri: null, total_bytes: null });
          }
        }
      } else req.progress(`video ${state.video_id} uploaded earlier`);
      const videoId = state.video_id!;

      if (!state.thumbnail_set) {
        await ledger.spend('thumbnails.set');
        req.progress('setting the thumbnail');
        const thumbnail = await req.file('thumbnail');
        try {
          await attempt('thumbnails.set', () =>
            api.thumbnails.set({ videoId, media: { mimeType: 'image/jpeg', body: fs.createReadStream(thumbnail) } }, { rootUrl, signal }),
          );
          await saveUpload(db, story.id, { thumbnail_set: true });
        } catch (err) {
          // a channel that may not set custom thumbnails yet still gets its video published
          if (!(err instanceof PermanentError) || !/HTTP 403/.test(err.message)) throw err;
          // done with, so a later retry does not pay and warn again
          await saveUpload(db, story.id, { thumbnail_set: true });
          req.warn(`${err.message}; the video keeps YouTube's own thumbnail (custom thumbnails need a verified channel: https://www.youtube.com/verify)`);
        }
      }

      if (settings.captions && !state.captions_id) {
        await ledger.spend('captions.insert');
        req.progress('adding the captions');
        const srt = await req.file('srt');
        let captionsId: string;
        try {
          const res = await attempt('captions.insert', () =>
            api.captions.insert(
              {
                part: ['snippet'],
                requestBody: { snippet: { videoId, language: story.language, name: '', isDraft: false } },
                media: { mimeType: 'application/x-subrip', body: fs.createReadStream(srt) },
              },
              { rootUrl, signal },
            ),
          );
          captionsId = res.data.id ?? 'unknown';
        } catch (err) {
          // an earlier attempt's track arrived but its answer did not: the track is there (409 captionExists)
          if (!(err instanceof PermanentError) || !/HTTP 409/.test(err.message)) throw err;
          req.warn(`${err.message}; the captions track is already on the video`);
          captionsId = 'existing';
        }
        await saveUpload(db, story.id, { captions_id: captionsId });
      }

      if (settings.playlistId && (!state.playlist_item_id || state.playlist_item_id === PLAYLIST_PENDING)) {
        const playlistId = settings.playlistId;
        let itemId: string | null | undefined = null;
        if (state.playlist_item_id === PLAYLIST_PENDING) {
          // an earlier attempt sent the insert but never heard back: YouTube may have added the video already
          await ledger.spend('playlistItems.list');
          req.progress('looking for the video in the playlist');
          const found = await attempt('playlistItems.list', () => api.playlistItems.list({ part: ['id'], playlistId, videoId, maxResults: 1 }, { rootUrl, signal }));
          itemId = found.data.items?.[0]?.id;
          if (itemId) req.warn(`the video was already in playlist ${playlistId} (an earlier attempt's answer was lost); not adding it again`);
        }
        if (!itemId) {
          await ledger.spend('playlistItems.insert');
          req.progress('adding to the playlist');
          await saveUpload(db, story.id, { playlist_item_id: PLAYLIST_PENDING });
          const res = await attempt('playlistItems.insert', () =>
            api.playlistItems.insert({ part: ['snippet'], requestBody: { snippet: { playlistId, resourceId: { kind: 'youtube#video', videoId } } } }, { rootUrl, signal }),
          );
          itemId = res.data.id ?? 'unknown';
        }
        await saveUpload(db, story.id, { playlist_item_id: itemId });
      }
      return { videoId, url: videoUrl(videoId) };
    },
  };
}
