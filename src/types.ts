/** Rows as stored. Timestamps are Dates; ids are strings (uuid) except job ids (numbers). */
export type StoryStatus =
  | 'pending'
  | 'generating_script'
  | 'generating_images'
  | 'generating_audio'
  | 'generating_subtitles'
  | 'generating_metadata'
  | 'rendering'
  | 'uploading'
  | 'published'
  | 'failed';

export type JobType =
  | 'generate_script'
  | 'generate_images'
  | 'generate_audio'
  | 'generate_subtitles'
  | 'generate_metadata'
  | 'render_video'
  | 'upload_youtube';

/** Jobs that are a piece of a stage's work, not a stage: a part of a long render (src/stages/render-part.ts). */
export type TaskType = 'render_part';

export type JobStatus = 'queued' | 'processing' | 'completed' | 'failed';

export interface SentenceTiming {
  text: string;
  /** seconds from the start of the scene's narration clip */
  start: number;
  end: number;
}

export interface Story {
  id: string;
  topic: string;
  language: string;
  status: StoryStatus;
  script_text: string | null;
  script_source: { provider: string; file?: string } | null;
  metadata: StoryMetadata | null;
  error_message: string | null;
  youtube_video_id: string | null;
  youtube_url: string | null;
  /** spending limit in USD for paid provider calls (`create --budget`); null: none */
  budget_usd: number | null;
  /** the upload waits for `approve` (`create --approval`, or publish.approval when it was created) */
  approval: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface StoryMetadata {
  title: string;
  description: string;
  tags: string[];
  chapters: { start: number; title: string }[];
  /** the thumbnail's headline, when the writer gave one (default: the topic) */
  thumbnailHeadline?: string;
  /** true when written by the offline preview writer */
  preview: boolean;
}

export interface Scene {
  id: string;
  story_id: string;
  position: number;
  title: string | null;
  text_content: string;
  image_prompt: string;
  /** words to search archives with, when the script gave them */
  image_search: string | null;
  image_url: string | null;
  /** the image provider that made the still (`archive`, `gemini`, `preview`); null: unknown */
  image_provider: string | null;
  audio_url: string | null;
  duration_seconds: number | null;
  sentence_timings: SentenceTiming[] | null;
  created_at: Date;
  updated_at: Date;
}

export interface Job {
  id: number;
  story_id: string;
  type: JobType | TaskType;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  /** null: held for a person (stored as 'infinity', never claimable); see `held` */
  run_at: Date | null;
  /** why a queued job waits for a person, e.g. 'awaiting approval'; null: an ordinary job */
  held: string | null;
  locked_by: string | null;
  locked_until: Date | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  /** what a task works on (a render part: `{ part, parts, plan, processes }`); null for stages */
  payload: Record<string, unknown> | null;
}

export interface Asset {
  id: string;
  story_id: string;
  kind: string;
  storage_key: string;
  url: string;
  content_type: string;
  bytes: number;
  created_at: Date;
}
