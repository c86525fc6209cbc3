-- Archival pictures: where each still came from and under what licence (the provenance ledger), the
-- search words the script stage writes beside each image prompt, and which image provider made each
-- scene's still (what the YouTube disclosure and the end card are decided from).

alter table scenes add column image_search text;
-- the provider that made the still: 'archive', 'gemini', 'preview'; null before this migration
alter table scenes add column image_provider text;

create table credits (
  id bigint generated always as identity primary key,
  story_id uuid not null references stories (id) on delete cascade,
  -- the scene's position (scenes are replaced as a whole by the script stage)
  scene int not null check (scene >= 1),
  -- 'commons' (Wikimedia Commons) or 'loc' (Library of Congress)
  source text not null,
  page_url text not null,
  file_url text not null,
  title text not null,
  author text,
  -- as the record states it: 'Public domain', 'CC0', 'CC BY 4.0', 'CC BY-SA 3.0'
  licence text not null,
  licence_url text,
  retrieved_at timestamptz not null default now(),
  -- what was done to the picture: fitting, enlarging, the slow zoom and pan
  modification text not null,
  unique (story_id, scene),
  -- the same picture is never used twice in a story
  unique (story_id, page_url)
);

-- Supabase: no access for the anon and authenticated roles, like the other tables.
alter table credits enable row level security;
