-- The operator's desk: an approval gate before the upload, the story's history, and the publishing
-- calendar's taken slots.

-- Whether this story's upload waits for `approve` (decided when the story is created: the flag, else
-- publish.approval in the config of the process that created it).
alter table stories add column approval boolean not null default false;

-- Why a queued job waits for a person (e.g. 'awaiting approval'); null: an ordinary job. A held job has
-- run_at = 'infinity', so la_claim never sees it: it is not claimed, reclaimed, retried or failed.
alter table jobs add column held text;

-- What happened to a story beyond its jobs: approved, rejected (with the operator's note), slot taken.
create table story_events (
  id bigint generated always as identity primary key,
  story_id uuid not null references stories (id) on delete cascade,
  kind text not null,
  -- the stage it concerns (reject: where the story was sent back to)
  stage text,
  note text,
  created_at timestamptz not null default now()
);
create index story_events_story on story_events (story_id, id);

-- The publishing calendar: one row per slot a story holds. The primary key is the slot's time, so two
-- workers taking a slot at once cannot both get it (insert ... on conflict do nothing, then the next).
create table publish_slots (
  slot_at timestamptz primary key,
  story_id uuid not null unique references stories (id) on delete cascade,
  taken_at timestamptz not null default now()
);

-- Release a held job of a story that waits for approval, in one statement that checks the story; wakes
-- the workers. Returns the job id, or nothing when the story is not awaiting approval.
create function la_approve(p_story uuid)
returns setof bigint language sql as $$
  with released as (
    update jobs j set run_at = now(), held = null, updated_at = now()
    from stories s
    where s.id = p_story and j.story_id = s.id and s.status = 'uploading'
      and j.status = 'queued' and j.held is not null
    returning j.id, j.type
  )
  select r.id from released r
  cross join lateral pg_notify('lost_archives_jobs', json_build_object('id', r.id, 'type', r.type)::text);
$$;

alter table story_events enable row level security;
alter table publish_slots enable row level security;
