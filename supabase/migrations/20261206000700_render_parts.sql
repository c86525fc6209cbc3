-- The parts of one long render as jobs of their own (`render_part`), taken by any render worker: the
-- render_video job plans the parts, enqueues one job per part, waits for them without holding a worker,
-- then joins them. Changes to what exists: the jobs type check gains 'render_part'; jobs gain a payload;
-- "one active job per (story, type)" becomes "per (story, type, part)", so la_enqueue is redefined with
-- a conflict clause that names no index (its behaviour is otherwise the same).

alter table jobs drop constraint jobs_type_check;
alter table jobs add constraint jobs_type_check check (type in (
  'generate_script', 'generate_images', 'generate_audio', 'generate_subtitles',
  'generate_metadata', 'render_video', 'upload_youtube', 'render_part'));

-- what a job that is only a piece of a stage works on: {"part": k, "parts": n, "plan": "<fingerprint>", "processes": p}
alter table jobs add column payload jsonb;
alter table jobs add constraint jobs_part_payload check (type <> 'render_part' or (payload ->> 'part') is not null);

drop index jobs_one_active;
create unique index jobs_one_active on jobs (story_id, type, coalesce(payload ->> 'part', '')) where status in ('queued', 'processing');

create or replace function la_enqueue(p_story uuid, p_type text, p_max_attempts int, p_run_at timestamptz default now())
returns bigint language plpgsql as $$
declare v_id bigint;
begin
  insert into jobs (story_id, type, max_attempts, run_at)
  values (p_story, p_type, p_max_attempts, coalesce(p_run_at, now()))
  on conflict do nothing
  returning id into v_id;
  if v_id is not null then
    -- the payload differs each time, so notifications in one transaction are not merged
    perform pg_notify('lost_archives_jobs', json_build_object('id', v_id, 'type', p_type)::text);
  end if;
  return v_id;
end $$;

-- Enqueue one part of a story's render unless that part has an active job. Returns the job id, or null.
create function la_enqueue_part(p_story uuid, p_payload jsonb, p_max_attempts int)
returns bigint language plpgsql as $$
declare v_id bigint;
begin
  insert into jobs (story_id, type, max_attempts, payload)
  values (p_story, 'render_part', p_max_attempts, p_payload)
  on conflict do nothing
  returning id into v_id;
  if v_id is not null then
    perform pg_notify('lost_archives_jobs', json_build_object('id', v_id, 'type', 'render_part')::text);
  end if;
  return v_id;
end $$;

-- Complete a part job; the last one of its story wakes the render that waits for the parts (its row is
-- locked first, so a render deciding to wait at the same moment sees this part done, or is woken after).
-- False: lease lost.
create function la_complete_part(p_job bigint, p_worker text, p_attempt int)
returns boolean language plpgsql as $$
declare v_story uuid; v_parent bigint;
begin
  update jobs set status = 'completed', locked_until = null, finished_at = now(), updated_at = now()
  where id = p_job and locked_by = p_worker and attempts = p_attempt and status = 'processing'
  returning story_id into v_story;
  if not found then return false; end if;
  perform 1 from jobs where story_id = v_story and type = 'render_video' and status in ('queued', 'processing') for update;
  if not exists (select 1 from jobs where story_id = v_story and type = 'render_part' and status in ('queued', 'processing')) then
    update jobs set run_at = now(), updated_at = now()
    where story_id = v_story and type = 'render_video' and status = 'queued'
    returning id into v_parent;
    if v_parent is not null then
      perform pg_notify('lost_archives_jobs', json_build_object('id', v_parent, 'type', 'render_video')::text);
    end if;
  end if;
  return true;
end $$;

-- Hand a render that waits for its parts back to the queue without spending an attempt: to run again
-- after p_delay seconds, or at once when no part is still queued or running. Its last error stays as it
-- was (waiting is none; `status` shows the parts). Returns 'retry' or 'lost'.
create function la_wait_for_parts(p_job bigint, p_worker text, p_attempt int, p_delay double precision)
returns text language plpgsql as $$
declare v_story uuid; v_busy boolean;
begin
  select story_id into v_story from jobs
  where id = p_job and locked_by = p_worker and attempts = p_attempt and status = 'processing'
  for update;
  if not found then return 'lost'; end if;
  v_busy := exists (select 1 from jobs where story_id = v_story and type = 'render_part' and status in ('queued', 'processing'));
  update jobs set status = 'queued', attempts = attempts - 1, locked_until = null, updated_at = now(),
    run_at = case when v_busy then now() + make_interval(secs => p_delay) else now() end
  where id = p_job;
  return 'retry';
end $$;
