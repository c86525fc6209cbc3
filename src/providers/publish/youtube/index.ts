import fs from 'node:fs';
import { youtube as youtubeApi } from '@googleapis/youtube';
import type { Config } from '../../../config.js';
import { PermanentError } from '../../../errors.js';
import type { PublishRequest, Publisher } from '../../types.js';
import { authorisedClient } from './client.js';
import { classify } from './errors.js';
import { followUps } from './follow-ups.js';
import { COSTS, type Call, type QuotaCounter, QuotaLedger, type QuotaLimits } from './quota.js';
import { type UploadStore, databaseUploadStore } from './state.js';
import { SessionGoneError, openSession, sendFile } from './upload.js';

/** What the publisher keeps outside itself: the quota count and where each story's upload stands. */
export interface YoutubePorts {
  quota: QuotaCounter;
  uploads: UploadStore;
}

/** Both ports in the request's database, so every worker shares the count and the state. */
export function databasePorts(limits: QuotaLimits): (req: PublishRequest, now: () => Date) => YoutubePorts {
  return (req, now) => ({ quota: new QuotaLedger(req.db, limits, now), uploads: databaseUploadStore(req.db, req.story.id) });
}

export interface YoutubeOptions {
  env?: NodeJS.ProcessEnv;
  /** First wait between in-process upload retries. Default 1000 ms. */
  backoffMs?: number;
  now?: () => Date;
  /** The quota count and the upload state for one publish. Default: both in the request's database. */
  ports?: (req: PublishRequest, now: () => Date) => YoutubePorts;
}

export const videoUrl = (id: string) => `https://www.youtube.com/watch?v=${id}`;

/** The video resource sent with the upload: metadata from the story, settings from `youtube` in the config. */
export function videoResource(
  req: Pick<PublishRequest, 'story' | 'metadata' | 'stills'> & { slot?: Date | null },
  settings: Config['youtube'],
  now: Date,
  own: { privacy: 'private' | 'unlisted' | 'public' | null; publish_at: Date | null } = { privacy: null, publish_at: null },
): { snippet: Record<string, unknown>; status: Record<string, unknown> } {
  // the narration and its captions are in the story's language whatever the title's language is set to
  const language = settings.defaultLanguage ?? req.story.language;
  const at = settings.publishAt;
  const configured = at === undefined ? undefined : typeof at === 'string' ? new Date(at) : new Date(now.getTime() + at.hoursAfterUpload * 3600_000);
  // the story's own settings win; its own privacy without a time of its own drops the configured schedule
  const publishAt = own.publish_at ?? (own.privacy && own.privacy !== 'private' ? undefined : (req.slot ?? configured));
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
      // disclosed unless every still is a known archival picture
      containsSyntheticMedia: settings.containsSyntheticMedia ?? !(req.stills && req.stills.archival > 0 && req.stills.generated === 0),
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
      const now = opts.now ?? (() => new Date());
      const { quota, uploads } = (opts.ports ?? databasePorts(settings.quota))(req, now);
      const client = authorisedClient(config, opts.env);
      const api = youtubeApi({ version: 'v3', auth: client });
      const attempt = async <T>(call: Call, fn: () => Promise<T>): Promise<T> => {
        try {
          return await fn();
        } catch (err) {
          if (signal.aborted) throw signal.reason;
          if (err instanceof SessionGoneError) throw err;
          throw await classify(err, call, quota);
        }
      };
      let state = await uploads.load();

      if (!state.video_id) {
        const videoFile = await req.file('video');
        const size = (await fs.promises.stat(videoFile)).size;
        let session = state.total_bytes === size ? state.session_uri : null;
        for (;;) {
          const fresh = !session;
          if (!session) {
            await quota.requireUnits(followUpUnits(settings), 'videos.insert');
            await quota.spend('videos.insert');
            req.progress('opening the upload session');
            const resource = videoResource(req, settings, now(), state);
            session = await attempt('videos.insert', () => openSession(client, rootUrl, resource, { size, contentType: 'video/mp4' }, signal));
            await uploads.save({ session_uri: session, total_bytes: size });
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
            await uploads.save({ video_id: video.id, session_uri: null });
            await uploads.videoUploaded(video.id, videoUrl(video.id));
            break;
          } catch (err) {
            if (!(err instanceof SessionGoneError)) throw err;
            // a session opened just now that is already gone is not an expiry: something between here and
            // YouTube (a proxy, youtube.rootUrl) answers 404; opening more would spend the day's uploads
            if (fresh) throw new PermanentError(`${err.message} right after it was opened: check youtube.rootUrl and any proxy in between`);
            // expired or unknown session: nothing was created with it; open a new one
            session = null;
            await uploads.save({ session_uri: null, total_bytes: null });
          }
        }
      } else req.progress(`video ${state.video_id} uploaded earlier`);
      const videoId = state.video_id!;

      await followUps({ api, settings, req, signal, quota, uploads, attempt }, state, videoId);
      return { videoId, url: videoUrl(videoId) };
    },
  };
}
