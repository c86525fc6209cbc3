-- The YouTube publisher: where an upload stands (so a retried job resumes or skips instead of creating
-- a second video), the quota spent per Pacific day, and re-queueing a job that waits on a quota
-- without spending one of its attempts.

-- One row per story with YouTube settings of its own (`create --privacy/--publish-at`) or being (or once)
-- uploaded. The upload's steps are written as soon as each is known.
create table youtube_uploads (
  story_id uuid primary key references stories (id) on delete cascade,
  -- the story's own settings; null: the config's
  privacy text check (privacy in ('private', 'unlisted', 'public')),
  publish_at timestamptz,
  -- the resumable upload session (valid about a week) and the size it was opened for
  session_uri text,
  total_bytes bigint,
  video_id text,
  thumbnail_set boolean not null default false,
  captions_id text,
  playlist_item_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Quota spent per day (the Pacific date YouTube resets on) and bucket: 'uploads' counts videos.insert
-- calls, 'units' the other endpoints' units.
create table youtube_quota (
  day date not null,
  bucket text not null check (bucket in ('uploads', 'units')),
  used int not null default 0,
  primary key (day, bucket)
);

-- Spend p_cost from the day's bucket if it fits under p_limit; false (and nothing spent) when it does not.
-- p_cost null: mark the bucket exhausted (YouTube said so before our count did).
create function la_youtube_spend(p_day date, p_bucket text, p_cost int, p_limit int)
returns boolean language plpgsql as $$
declare v_used int;
begin
  insert into youtube_quota (day, bucket, used) values (p_day, p_bucket, 0) on conflict do nothing;
  select used into v_used from youtube_quota where day = p_day and bucket = p_bucket for update;
  if p_cost is null then
    update youtube_quota set used = greatest(used, p_limit) where day = p_day and bucket = p_bucket;
    return false;
  end if;
  if v_used + p_cost > p_limit then return false; end if;
  update youtube_quota set used = used + p_cost where day = p_day and bucket = p_bucket;
  return true;
end $$;

-- Back to queued until p_delay seconds from now, giving back the attempt this claim counted: waiting for
-- a quota to reset is not a failure of the job. Returns 'retry', or 'lost' (not the owner).
create function la_defer(p_job bigint, p_worker text, p_attempt int, p_error text, p_delay double precision)
returns text language plpgsql as $$
begin
  update jobs set status = 'queued', attempts = attempts - 1, last_error = p_error, locked_until = null,
    updated_at = now(), run_at = now() + make_interval(secs => p_delay)
  where id = p_job and locked_by = p_worker and attempts = p_attempt and status = 'processing';
  if not found then return 'lost'; end if;
  return 'retry';
end $$;

alter table youtube_uploads enable row level security;
alter table youtube_quota enable row level security;
