import type { JobType, StoryStatus } from '../types.js';
import type { Stage } from './types.js';

/**
 * Which stages of a story may run, read from its jobs (pure). A stage waits for the stages it `needs`
 * (every stage before it when it declares none), so stages of one story overlap where nothing forces
 * an order; the story's status stays one of the seed's: the first stage in pipeline order not yet done.
 */

/** A job of the story as these rules read it. */
export interface StageJob {
  id: number;
  type: string;
  status: string;
}

/** What a stage waits for: its declared `needs`, or every stage before it. Only earlier stages of this pipeline count. */
export function needsOf(pipeline: readonly Stage[], stage: Stage): JobType[] {
  const before = pipeline.slice(0, pipeline.indexOf(stage)).map((s) => s.type);
  return stage.needs ? stage.needs.filter((t) => before.includes(t)) : before;
}

/**
 * The stages whose work is done: the latest job of the stage completed, and later than the latest job
 * of each stage it needs (a stage redone by `retry --from` makes what needs it undone).
 */
export function doneStages(pipeline: readonly Stage[], jobs: readonly StageJob[]): Set<JobType> {
  const latest = new Map<string, StageJob>();
  for (const j of jobs) if ((latest.get(j.type)?.id ?? -Infinity) < j.id) latest.set(j.type, j);
  const done = new Set<JobType>();
  for (const s of pipeline) {
    const j = latest.get(s.type);
    if (j?.status === 'completed' && needsOf(pipeline, s).every((n) => done.has(n) && latest.get(n)!.id < j.id)) done.add(s.type);
  }
  return done;
}

/** The types with a job queued or running. */
export function activeTypes(jobs: readonly StageJob[]): Set<string> {
  return new Set(jobs.filter((j) => j.status === 'queued' || j.status === 'processing').map((j) => j.type));
}

/** The story's status: the first stage in pipeline order that is not done, or `published` when all are. */
export function statusOf(pipeline: readonly Stage[], done: ReadonlySet<JobType>): StoryStatus {
  return pipeline.find((s) => !done.has(s.type))?.status ?? 'published';
}

/** The stages that can start now: not done, without a queued or running job, and all they need done. */
export function readyStages(pipeline: readonly Stage[], done: ReadonlySet<JobType>, active: ReadonlySet<string>): Stage[] {
  return pipeline.filter((s) => !done.has(s.type) && !active.has(s.type) && needsOf(pipeline, s).every((n) => done.has(n)));
}

/** The stage and every stage that needs it, directly or through others: what `retry --from` clears. */
export function withDependents(pipeline: readonly Stage[], type: JobType): Stage[] {
  const hit = new Set<JobType>([type]);
  for (const s of pipeline) if (needsOf(pipeline, s).some((n) => hit.has(n))) hit.add(s.type);
  return pipeline.filter((s) => hit.has(s.type));
}
