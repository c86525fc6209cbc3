-- The job queue's transitions. Every client goes through these functions, so every client obeys the
-- same rules: claim with SKIP LOCKED, leases, ownership checks on finish, backoff, one active job per
-- (story, type), NOTIFY on enqueue.

-- Enqueue a job unless one is already active for (story, type). Returns the job id, or null.
create function la_enqueue(p_story uuid, p_type text, p_max_attempts int, p_run_at timestamptz default now())
returns bigint language plpgsql as $$
declare v_id bigint;
begin
  insert into jobs (story_id, type, max_attempts, run_at)
  values (p_story, p_type, p_max_attempts, coalesce(p_run_at, now()))
  on conflict (story_id, type) where status in ('queued', 'processing') do nothing
  returning id into v_id;
  if v_id is not null then
    -- the payload differs each time, so notifications in one transaction are not merged
    perform pg_notify('lost_archives_jobs', json_build_object('id', v_id, 'type', p_type)::text);
  end if;
  return v_id;
end $$;

-- Claim the oldest runnable job of the given types (null: any) and story (null: any).
-- A processing job whose lease ran out is runnable again; attempts count at claim time, so a job whose
-- worker keeps dying still runs out of attempts: such a job fails here, with its story.
create function la_claim(p_worker text, p_types text[], p_lease_seconds double precision, p_story uuid default null)
returns setof jobs language plpgsql as $$
begin
  with dead as (
    select id from jobs
    where status = 'processing' and locked_until < now() and attempts >= max_attempts
      and (p_types is null or type = any (p_types))
    for update skip locked
  ), failed as (
    update jobs j set status = 'failed', locked_until = null, finished_at = now(), updated_at = now(),
      last_error = 'its worker stopped responding ' || j.attempts || ' time(s) (lease expired)'
        || coalesce('; last error: ' || j.last_error, '')
    from dead where j.id = dead.id
    returning j.story_id, j.type, j.last_error
  )
  update stories s set status = 'failed', updated_at = now(),
    error_message = failed.type || ': ' || failed.last_error
  from failed where s.id = failed.story_id;

  return query
  update jobs j set status = 'processing', attempts = j.attempts + 1, locked_by = p_worker,
    locked_until = now() + make_interval(secs => p_lease_seconds), started_at = now(), updated_at = now()
  where j.id = (
    select id from jobs
    where ((status = 'queued' and run_at <= now())
        or (status = 'processing' and locked_until < now() and attempts < max_attempts))
      and (p_types is null or type = any (p_types))
      and (p_story is null or story_id = p_story)
    order by run_at, id
    for update skip locked
    limit 1)
  returning j.*;
end $$;

-- Extend the lease. False: this worker no longer owns the job and must abort.
create function la_heartbeat(p_job bigint, p_worker text, p_attempt int, p_lease_seconds double precision)
returns boolean language plpgsql as $$
begin
  update jobs set locked_until = now() + make_interval(secs => p_lease_seconds), updated_at = now()
  where id = p_job and locked_by = p_worker and attempts = p_attempt and status = 'processing';
  return found;
end $$;

-- Complete the job, move its story on and enqueue the next stage, all in one transaction.
-- p_next_type null: the story is finished (p_next_status is then 'published'). False: lease lost.
create function la_complete(p_job bigint, p_worker text, p_attempt int, p_next_status text, p_next_type text, p_max_attempts int)
returns boolean language plpgsql as $$
declare v_story uuid;
begin
  update jobs set status = 'completed', locked_until = null, finished_at = now(), updated_at = now()
  where id = p_job and locked_by = p_worker and attempts = p_attempt and status = 'processing'
  returning story_id into v_story;
  if not found then return false; end if;
  update stories set status = p_next_status, error_message = null, updated_at = now() where id = v_story;
  if p_next_type is not null then
    perform la_enqueue(v_story, p_next_type, p_max_attempts);
  end if;
  return true;
end $$;

-- Record a failure: back to queued after an exponential, jittered delay while attempts remain and the
-- error may heal; otherwise failed, with the story. Returns 'retry', 'failed' or 'lost' (not the owner).
create function la_fail(p_job bigint, p_worker text, p_attempt int, p_error text, p_permanent boolean,
  p_backoff_base double precision, p_backoff_max double precision, p_retry_after double precision default null)
returns text language plpgsql as $$
declare v jobs%rowtype; v_delay double precision;
begin
  select * into v from jobs
  where id = p_job and locked_by = p_worker and attempts = p_attempt and status = 'processing'
  for update;
  if not found then return 'lost'; end if;
  if p_permanent or v.attempts >= v.max_attempts then
    update jobs set status = 'failed', last_error = p_error, locked_until = null, finished_at = now(), updated_at = now()
    where id = p_job;
    update stories set status = 'failed', error_message = v.type || ': ' || p_error, updated_at = now()
    where id = v.story_id;
    return 'failed';
  end if;
  v_delay := coalesce(p_retry_after,
    least(p_backoff_max, p_backoff_base * power(2, v.attempts - 1)) * (0.75 + random() * 0.5));
  update jobs set status = 'queued', last_error = p_error, locked_until = null, updated_at = now(),
    run_at = now() + make_interval(secs => v_delay)
  where id = p_job;
  return 'retry';
end $$;

-- Hand a job back without spending an attempt (graceful shutdown).
create function la_release(p_job bigint, p_worker text, p_attempt int)
returns boolean language plpgsql as $$
declare v_type text;
begin
  update jobs set status = 'queued', attempts = attempts - 1, locked_until = null, run_at = now(), updated_at = now()
  where id = p_job and locked_by = p_worker and attempts = p_attempt and status = 'processing'
  returning type into v_type;
  if not found then return false; end if;
  perform pg_notify('lost_archives_jobs', json_build_object('id', p_job, 'type', v_type, 'released', true)::text);
  return true;
end $$;
