import fs from 'node:fs';
import type { youtube_v3 } from '@googleapis/youtube';
import type { Config } from '../../../config.js';
import { PermanentError } from '../../../errors.js';
import { LANGUAGES } from '../../../languages.js';
import type { PublishRequest } from '../../types.js';
import type { Call, QuotaCounter } from './quota.js';
import type { UploadState, UploadStore } from './state.js';

/** What the steps after the upload work with: the API, the ports, and a call wrapper that classifies failures. */
export interface FollowUpContext {
  api: youtube_v3.Youtube;
  settings: Config['youtube'];
  req: PublishRequest;
  signal: AbortSignal;
  quota: QuotaCounter;
  uploads: UploadStore;
  attempt: <T>(call: Call, fn: () => Promise<T>) => Promise<T>;
}

/** The captions track's name, which YouTube requires and shows in the player's menu: the language's name. */
export function captionsName(language: string): string {
  return LANGUAGES[language]?.name ?? language;
}

/** Recorded before the playlist insert is sent: a retry that finds it asks YouTube before inserting again. */
const PLAYLIST_PENDING = 'pending';

/**
 * After the video is on YouTube: its thumbnail, captions track and playlist entry, each skipped when the
 * state says it is done and recorded as soon as YouTube confirms it.
 */
export async function followUps(ctx: FollowUpContext, state: UploadState, videoId: string): Promise<void> {
  const { api, settings, req, signal, quota, uploads, attempt } = ctx;
  const rootUrl = settings.rootUrl;
  if (!state.thumbnail_set) {
    await quota.spend('thumbnails.set');
    req.progress('setting the thumbnail');
    const thumbnail = await req.file('thumbnail');
    try {
      await attempt('thumbnails.set', () =>
        api.thumbnails.set({ videoId, media: { mimeType: 'image/jpeg', body: fs.createReadStream(thumbnail) } }, { rootUrl, signal }),
      );
      await uploads.save({ thumbnail_set: true });
    } catch (err) {
      // a channel that may not set custom thumbnails yet, or a thumbnail YouTube will not take (over 2 MB),
      // still gets its video published
      const refused = err instanceof PermanentError ? /HTTP (403|413)/.exec(err.message)?.[1] : undefined;
      if (!refused) throw err;
      // done with, so a later retry does not pay and warn again
      await uploads.save({ thumbnail_set: true });
      const why = refused === '403' ? 'custom thumbnails need a verified channel: https://www.youtube.com/verify' : 'YouTube takes thumbnails up to 2 MB';
      req.warn(`${(err as Error).message}; the video keeps YouTube's own thumbnail (${why})`);
    }
  }

  if (settings.captions && !state.captions_id) {
    await quota.spend('captions.insert');
    req.progress('adding the captions');
    const srt = await req.file('srt');
    // the captions are the narration's words: the story's language, whatever the title's is set to
    const language = req.story.language;
    let captionsId: string;
    try {
      const res = await attempt('captions.insert', () =>
        api.captions.insert(
          {
            part: ['snippet'],
            requestBody: { snippet: { videoId, language, name: captionsName(language), isDraft: false } },
            media: { mimeType: 'application/x-subrip', body: fs.createReadStream(srt) },
          },
          { rootUrl, signal },
        ),
      );
      captionsId = res.data.id ?? 'unknown';
    } catch (err) {
      // an earlier attempt's track arrived but its answer did not: a track of this language and name is there (409 captionExists)
      if (!(err instanceof PermanentError) || !/HTTP 409/.test(err.message)) throw err;
      req.warn(`${err.message}; the captions track is already on the video`);
      captionsId = 'existing';
    }
    await uploads.save({ captions_id: captionsId });
  }

  if (settings.playlistId && (!state.playlist_item_id || state.playlist_item_id === PLAYLIST_PENDING)) {
    const playlistId = settings.playlistId;
    let itemId: string | null | undefined = null;
    if (state.playlist_item_id === PLAYLIST_PENDING) {
      // an earlier attempt sent the insert but never heard back: YouTube may have added the video already
      await quota.spend('playlistItems.list');
      req.progress('looking for the video in the playlist');
      const found = await attempt('playlistItems.list', () => api.playlistItems.list({ part: ['id'], playlistId, videoId, maxResults: 1 }, { rootUrl, signal }));
      itemId = found.data.items?.[0]?.id;
      if (itemId) req.warn(`the video was already in playlist ${playlistId} (an earlier attempt's answer was lost); not adding it again`);
    }
    if (!itemId) {
      await quota.spend('playlistItems.insert');
      req.progress('adding to the playlist');
      await uploads.save({ playlist_item_id: PLAYLIST_PENDING });
      const res = await attempt('playlistItems.insert', () =>
        api.playlistItems.insert({ part: ['snippet'], requestBody: { snippet: { playlistId, resourceId: { kind: 'youtube#video', videoId } } } }, { rootUrl, signal }),
      );
      itemId = res.data.id ?? 'unknown';
    }
    await uploads.save({ playlist_item_id: itemId });
  }
}
