-- Research: the sources a script was written from (Grounding with Google Search, or the links in the
-- operator's own Markdown script), which scenes each one backs, and the script's checkable claims with
-- their verdicts. All of it belongs to the script stage: `retry --from generate_script` clears it.

-- one row per story whose script stage recorded its research (also "no sources" for the offline writer)
create table research (
  story_id uuid primary key references stories (id) on delete cascade,
  -- search: grounded Gemini writing; operator: links in the operator's script; none: not researched (preview)
  origin text not null check (origin in ('search', 'operator', 'none')),
  -- the Google Search queries the model ran (groundingMetadata.webSearchQueries)
  search_queries text[] not null default '{}',
  -- the grounded passages: [{"scene", "text", "sources"}] (the fact-check points claims at them)
  passages jsonb not null default '[]',
  -- research.factCheck when the claims were checked; null: not checked (yet)
  fact_check text check (fact_check in ('warn', 'block')),
  checked_at timestamptz,
  created_at timestamptz not null default now()
);

create table sources (
  id bigint generated always as identity primary key,
  story_id uuid not null references stories (id) on delete cascade,
  -- 1-based, in the order the writer returned them (the claims' source numbers)
  position int not null check (position >= 1),
  url text not null,
  title text,
  domain text,
  retrieved_at timestamptz not null default now(),
  unique (story_id, position)
);

-- which sources back which scene's narration, and by how many grounded passages
create table scene_sources (
  story_id uuid not null references stories (id) on delete cascade,
  scene int not null check (scene >= 1),
  source int not null check (source >= 1),
  passages int not null default 1 check (passages >= 1),
  primary key (story_id, scene, source)
);

create table claims (
  id bigint generated always as identity primary key,
  story_id uuid not null references stories (id) on delete cascade,
  position int not null check (position >= 1),
  scene int,
  text text not null,
  -- date, name, place, number, quotation, other
  kind text not null,
  verdict text not null check (verdict in ('supported', 'unsupported')),
  -- source positions that back it
  sources int[] not null default '{}',
  unique (story_id, position)
);

-- the cost ledger counts grounded search queries (billed per query on Gemini 3)
alter table costs add column search_queries int not null default 0;

-- Supabase: no access for the anon and authenticated roles, like the other tables.
alter table research enable row level security;
alter table sources enable row level security;
alter table scene_sources enable row level security;
alter table claims enable row level security;
