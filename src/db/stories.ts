import type { Asset, Job, Scene, SentenceTiming, Story, StoryMetadata } from '../types.js';
import { type CostRow, listCosts } from './costs.js';
import type { Queryable } from './types.js';

/** Typed queries on stories, scenes and assets. Queue transitions live in src/queue/jobs.ts. */

export interface NewScene {
  title?: string | null;
  text_content: string;
  image_prompt: string;
  /** words to search archives with for this scene's picture */
  image_search?: string | null;
}

export async function insertStory(db: Queryable, topic: string, language: string, budgetUsd: number | null = null, approval = false): Promise<Story> {
  const [story] = await db.query<Story>('insert into stories (topic, language, budget_usd, approval) values ($1, $2, $3, $4) returning *', [topic, language, budgetUsd, approval]);
  return story;
}

export async function getStory(db: Queryable, id: string): Promise<Story | null> {
  const rows = await db.query<Story>('select * from stories where id = $1', [id]);
  return rows[0] ?? null;
}

/** Finds a story by its full id or by a unique prefix of at least 4 characters (as `status` prints). */
export async function findStory(db: Queryable, idOrPrefix: string): Promise<Story[]> {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrPrefix)) {
    const s = await getStory(db, idOrPrefix.toLowerCase());
    return s ? [s] : [];
  }
  if (!/^[0-9a-f-]{4,36}$/i.test(idOrPrefix)) return [];
  return db.query<Story>('select * from stories where id::text like $1 order by created_at limit 5', [idOrPrefix.toLowerCase() + '%']);
}

export interface StoryDetail extends Story {
  scenes: Scene[];
  jobs: Job[];
  assets: Asset[];
  /** the cost ledger: one row per paid provider call */
  costs: CostRow[];
  /** sum of `costs[].usd` */
  cost_usd: number;
}

/** A job as read: a held job's run_at ('infinity', which the drivers read as the number Infinity) is null. */
export function jobRow(j: Job): Job {
  return j.run_at instanceof Date ? j : { ...j, run_at: null };
}

export async function getStoryDetail(db: Queryable, id: string): Promise<StoryDetail | null> {
  const story = await getStory(db, id);
  if (!story) return null;
  const [scenes, jobs, assets] = [
    await listScenes(db, id),
    (await db.query<Job>('select * from jobs where story_id = $1 order by id', [id])).map(jobRow),
    await db.query<Asset>('select * from assets where story_id = $1 order by created_at, kind', [id]),
  ];
  const costs = await listCosts(db, id);
  return { ...story, scenes, jobs, assets, costs, cost_usd: costs.reduce((n, c) => n + c.usd, 0) };
}

export async function listStories(db: Queryable, limit: number, offset: number): Promise<{ stories: Story[]; total: number }> {
  const stories = await db.query<Story>('select * from stories order by created_at desc, id limit $1 offset $2', [limit, offset]);
  const [{ total }] = await db.query<{ total: number }>('select count(*) as total from stories');
  return { stories, total };
}

export async function listScenes(db: Queryable, storyId: string): Promise<Scene[]> {
  return db.query<Scene>('select * from scenes where story_id = $1 order by position', [storyId]);
}

/** Replaces the story's script and scenes (the script stage is the only writer). */
export async function saveScript(db: Queryable, storyId: string, script: string, source: Story['script_source'], scenes: NewScene[]): Promise<void> {
  await db.query('delete from scenes where story_id = $1', [storyId]);
  for (const [i, s] of scenes.entries()) {
    await db.query('insert into scenes (story_id, position, title, text_content, image_prompt, image_search) values ($1, $2, $3, $4, $5, $6)', [
      storyId, i + 1, s.title ?? null, s.text_content, s.image_prompt, s.image_search ?? null,
    ]);
  }
  await db.query('update stories set script_text = $2, script_source = $3, updated_at = now() where id = $1', [storyId, script, JSON.stringify(source)]);
}

/** `provider`: the image provider that made the still (`archive`, `gemini`, `preview`). */
export async function setSceneImage(db: Queryable, sceneId: string, url: string | null, provider: string | null = null): Promise<void> {
  await db.query('update scenes set image_url = $2, image_provider = $3, updated_at = now() where id = $1', [sceneId, url, provider]);
}

export async function setSceneAudio(db: Queryable, sceneId: string, audio: { url: string; duration: number; timings: SentenceTiming[] } | null): Promise<void> {
  await db.query('update scenes set audio_url = $2, duration_seconds = $3, sentence_timings = $4, updated_at = now() where id = $1', [
    sceneId, audio?.url ?? null, audio?.duration ?? null, audio ? JSON.stringify(audio.timings) : null,
  ]);
}

export async function setMetadata(db: Queryable, storyId: string, metadata: StoryMetadata | null): Promise<void> {
  await db.query('update stories set metadata = $2, updated_at = now() where id = $1', [storyId, metadata ? JSON.stringify(metadata) : null]);
}

export async function setPublished(db: Queryable, storyId: string, video: { id: string | null; url: string | null }): Promise<void> {
  await db.query('update stories set youtube_video_id = $2, youtube_url = $3, updated_at = now() where id = $1', [storyId, video.id, video.url]);
}

export async function upsertAsset(db: Queryable, a: Omit<Asset, 'id' | 'created_at'>): Promise<void> {
  await db.query(
    `insert into assets (story_id, kind, storage_key, url, content_type, bytes) values ($1, $2, $3, $4, $5, $6)
     on conflict (story_id, kind) do update set storage_key = excluded.storage_key, url = excluded.url,
       content_type = excluded.content_type, bytes = excluded.bytes, created_at = now()`,
    [a.story_id, a.kind, a.storage_key, a.url, a.content_type, a.bytes],
  );
}

export async function listAssets(db: Queryable, storyId: string): Promise<Asset[]> {
  return db.query<Asset>('select * from assets where story_id = $1 order by kind', [storyId]);
}

export async function deleteAssets(db: Queryable, storyId: string, kinds: string[]): Promise<void> {
  await db.query('delete from assets where story_id = $1 and kind = any ($2)', [storyId, kinds]);
}
