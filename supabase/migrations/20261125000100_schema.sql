-- The Lost Archives: stories, their scenes, the jobs queue and produced assets.
-- Status values are the seed architecture's; the order of stages lives in src/stages/index.ts.

create table stories (
  id uuid primary key default gen_random_uuid(),
  topic text not null check (length(topic) between 1 and 500),
  language text not null default 'en-US',
  status text not null default 'pending' check (status in (
    'pending', 'generating_script', 'generating_images', 'generating_audio', 'generating_subtitles',
    'generating_metadata', 'rendering', 'uploading', 'published', 'failed')),
  script_text text,
  -- how the script was made: {"provider": "preview"} or {"provider": "operator", "file": "..."}
  script_source jsonb,
  metadata jsonb,
  error_message text,
  youtube_video_id text,
  youtube_url text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index stories_created_at on stories (created_at desc, id);

create table scenes (
  id uuid primary key default gen_random_uuid(),
  story_id uuid not null references stories (id) on delete cascade,
  position int not null check (position >= 1),
  title text,
  text_content text not null,
  image_prompt text not null,
  image_url text,
  audio_url text,
  duration_seconds double precision,
  -- one entry per spoken sentence: {"text", "start", "end"} in seconds from the start of the clip
  sentence_timings jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (story_id, position)
);

create table jobs (
  id bigint generated always as identity primary key,
  story_id uuid not null references stories (id) on delete cascade,
  type text not null check (type in (
    'generate_script', 'generate_images', 'generate_audio', 'generate_subtitles',
    'generate_metadata', 'render_video', 'upload_youtube')),
  status text not null default 'queued' check (status in ('queued', 'processing', 'completed', 'failed')),
  attempts int not null default 0,
  max_attempts int not null default 3 check (max_attempts >= 1),
  run_at timestamptz not null default now(),
  locked_by text,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
-- at most one active job per (story, type)
create unique index jobs_one_active on jobs (story_id, type) where status in ('queued', 'processing');
-- the claim scans only runnable rows
create index jobs_runnable on jobs (run_at, id) where status in ('queued', 'processing');
create index jobs_story on jobs (story_id, id);

create table assets (
  id uuid primary key default gen_random_uuid(),
  story_id uuid not null references stories (id) on delete cascade,
  kind text not null,
  storage_key text not null,
  url text not null,
  content_type text not null,
  bytes bigint not null,
  created_at timestamptz not null default now(),
  unique (story_id, kind)
);

-- Supabase: no access for the anon and authenticated roles; the tool connects as the table owner.
alter table stories enable row level security;
alter table scenes enable row level security;
alter table jobs enable row level security;
alter table assets enable row level security;
