import type { LoadedConfig } from '../config.js';
import type { Db, Queryable } from '../db/types.js';
import type { Logger } from '../log.js';
import type { Media } from '../media/index.js';
import type { Providers } from '../providers/index.js';
import type { Storage } from '../storage/types.js';
import type { Job, JobType, Story, StoryStatus, TaskType } from '../types.js';

/** Everything with a side effect, built once from the config (see src/context.ts) and passed in. */
export interface Services {
  config: LoadedConfig;
  db: Db;
  storage: Storage;
  providers: Providers;
  media: Media;
  logger: Logger;
}

export interface StageContext extends Services {
  /** Aborted when this worker lost its lease or is shutting down: stop, write nothing more. */
  signal: AbortSignal;
  /** Logger scoped to `{ stage, jobId, storyId }`. */
  log: Logger;
  /** Short progress line for people (Listr output, worker log at debug level). */
  progress(text: string): void;
  /** The job being run (absent when a stage is called directly). */
  job?: Job;
  /** True in a worker on a shared database: a long render may hand its parts to other workers as jobs. */
  handsOutParts?: boolean;
}

export interface Stage {
  type: JobType;
  /** The story's status while this stage runs. */
  status: StoryStatus;
  /** What the stage does, in the operator's words. */
  title: string;
  /** The stages whose work this one reads; absent: every stage before it. Stages whose needs are done run side by side. */
  needs?: readonly JobType[];
  /** Does only what is missing: a re-run after a crash or retry repeats no finished work. */
  run(story: Story, ctx: StageContext): Promise<void>;
  /** Removes what this stage made, so `retry --from` can redo it (inside retry's transaction). */
  reset(story: Story, deps: { db: Queryable; storage: Storage }): Promise<void>;
  /** Runs in the transaction that queues this stage's job after the stage before it completed (the approval gate, the calendar). */
  queued?(story: Story, deps: { db: Queryable; config: LoadedConfig }): Promise<void>;
}

/**
 * A job that is a piece of one stage's work, not a stage (a part of a long render): taken by any worker
 * that takes `of`, run like a stage (leased, retried), and completed without moving the story on.
 */
export interface Task {
  type: TaskType;
  /** the stage this is a piece of */
  of: JobType;
  title: string;
  run(story: Story, ctx: StageContext): Promise<void>;
}
