import { setPublished } from '../../../db/stories.js';
import type { Queryable } from '../../../db/types.js';

/** Where a story's upload stands, recorded as soon as each step is known (table youtube_uploads). */
export interface UploadState {
  /** the story's own settings (`create --privacy / --publish-at`); null: the config's */
  privacy: 'private' | 'unlisted' | 'public' | null;
  publish_at: Date | null;
  session_uri: string | null;
  total_bytes: number | null;
  video_id: string | null;
  thumbnail_set: boolean;
  captions_id: string | null;
  playlist_item_id: string | null;
}

const EMPTY: UploadState = { privacy: null, publish_at: null, session_uri: null, total_bytes: null, video_id: null, thumbnail_set: false, captions_id: null, playlist_item_id: null };

export async function loadUpload(db: Queryable, storyId: string): Promise<UploadState> {
  const [row] = await db.query<UploadState>(
    'select privacy, publish_at, session_uri, total_bytes, video_id, thumbnail_set, captions_id, playlist_item_id from youtube_uploads where story_id = $1',
    [storyId],
  );
  return row ? { ...row, total_bytes: row.total_bytes === null ? null : Number(row.total_bytes) } : { ...EMPTY };
}

export type UploadPatch = Partial<Omit<UploadState, 'privacy' | 'publish_at'>>;

/**
 * The publisher's port for one story's upload: where it stands, kept somewhere that outlives the job, so
 * a retried job resumes or skips instead of making a second video.
 */
export interface UploadStore {
  load(): Promise<UploadState>;
  /** Records part of the state at once. */
  save(patch: UploadPatch): Promise<void>;
  /** The video is on YouTube: the story records its id and URL before the steps that follow. */
  videoUploaded(id: string, url: string): Promise<void>;
}

/** The upload store in the database (table youtube_uploads, and the story's row). */
export function databaseUploadStore(db: Queryable, storyId: string): UploadStore {
  return {
    load: () => loadUpload(db, storyId),
    save: (patch) => saveUpload(db, storyId, patch),
    videoUploaded: (id, url) => setPublished(db, storyId, { id, url }),
  };
}

/** Records part of the upload's state at once (an upsert: the row appears with the first step). */
export async function saveUpload(db: Queryable, storyId: string, patch: UploadPatch): Promise<void> {
  const state = { ...(await loadUpload(db, storyId)), ...patch };
  await db.query(
    `insert into youtube_uploads (story_id, session_uri, total_bytes, video_id, thumbnail_set, captions_id, playlist_item_id)
     values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (story_id) do update set session_uri = excluded.session_uri, total_bytes = excluded.total_bytes,
       video_id = excluded.video_id, thumbnail_set = excluded.thumbnail_set, captions_id = excluded.captions_id,
       playlist_item_id = excluded.playlist_item_id, updated_at = now()`,
    [storyId, state.session_uri, state.total_bytes, state.video_id, state.thumbnail_set, state.captions_id, state.playlist_item_id],
  );
}

/** Forgets the upload, keeping the story's settings (`retry --from upload_youtube` or earlier: the next run uploads a new video). */
export async function forgetUpload(db: Queryable, storyId: string): Promise<void> {
  await db.query(
    `update youtube_uploads set session_uri = null, total_bytes = null, video_id = null, thumbnail_set = false,
       captions_id = null, playlist_item_id = null, updated_at = now() where story_id = $1`,
    [storyId],
  );
}
