-- The operator's desk: batch import keys, and the perceptual hashes the repetition check compares.

-- One row per story created by `create --from FILE`: the unique key makes a re-run (or a second process
-- importing the same file at the same moment) skip the row instead of creating its story twice.
create table story_imports (
  -- the file the story came from, as its absolute path
  source text not null,
  -- the row's own `id` column ("id:...") or a hash of its values ("row:...")
  row_key text not null,
  story_id uuid not null references stories (id) on delete cascade,
  line int not null,
  -- the row's approval column (null: not given), kept for the approval gate
  approval boolean,
  created_at timestamptz not null default now(),
  primary key (source, row_key)
);
create index story_imports_story on story_imports (story_id);

-- 128-bit difference hashes (dHash, rows and columns) of every still and thumbnail, computed once per picture version.
create table image_hashes (
  story_id uuid not null references stories (id) on delete cascade,
  -- 'still' (one per scene) or 'thumbnail'
  kind text not null check (kind in ('still', 'thumbnail')),
  -- the scene's position for a still, 0 for the thumbnail
  position int not null default 0,
  storage_key text not null,
  -- when the picture was stored (scene or asset time): a newer picture is hashed again
  version timestamptz not null,
  -- 32 hex digits
  dhash text not null check (dhash ~ '^[0-9a-f]{32}$'),
  created_at timestamptz not null default now(),
  primary key (story_id, kind, position)
);

alter table story_imports enable row level security;
alter table image_hashes enable row level security;
