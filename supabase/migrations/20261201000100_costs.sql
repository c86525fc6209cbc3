-- The cost ledger: one row per paid provider call (what it used and what it cost at the configured
-- prices), and an optional budget per story that the providers check before each call.

alter table stories add column budget_usd double precision check (budget_usd > 0);

create table costs (
  id bigint generated always as identity primary key,
  story_id uuid not null references stories (id) on delete cascade,
  -- the job type whose stage made the call
  stage text not null,
  provider text not null,
  -- model id, or the TTS voice type the price table knows
  model text not null,
  -- script, metadata, still, safety rewrite, narration
  operation text not null,
  scene int,
  tokens_in bigint not null default 0,
  tokens_out bigint not null default 0,
  images int not null default 0,
  characters bigint not null default 0,
  usd double precision not null default 0,
  -- false when the price table has no entry for the model: usd is then 0
  priced boolean not null default true,
  created_at timestamptz not null default now()
);
create index costs_story on costs (story_id, id);

-- Supabase: no access for the anon and authenticated roles, like the other tables.
alter table costs enable row level security;
