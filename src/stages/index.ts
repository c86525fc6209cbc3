import type { JobType, StoryStatus, TaskType } from '../types.js';
import { audioStage } from './audio.js';
import { imagesStage } from './images.js';
import { metadataStage } from './metadata.js';
import { renderPartTask } from './render-part.js';
import { renderStage } from './render.js';
import { scriptStage } from './script.js';
import { subtitlesStage } from './subtitles.js';
import type { Stage, Task } from './types.js';
import { uploadStage } from './upload.js';

export type { Stage, StageContext, Services, Task } from './types.js';
export { activeTypes, doneStages, needsOf, readyStages, statusOf, withDependents, type StageJob } from './needs.js';
export type Pipeline = readonly Stage[];

/**
 * The pipeline, in order. This list is the only place the order of stages is written. A stage starts
 * once the stages it `needs` are done (every stage before it unless it says otherwise): the narration
 * is recorded while the stills are drawn; render and upload wait for everything before them.
 */
export const PIPELINE: Pipeline = [scriptStage, imagesStage, audioStage, subtitlesStage, metadataStage, renderStage, uploadStage];

export const JOB_TYPES: readonly JobType[] = PIPELINE.map((s) => s.type);

/** Pieces of a stage's work that run as jobs of their own; not stages (the list above is the only order). */
export const TASKS: readonly Task[] = [renderPartTask];

/** The job types a worker that takes these stages runs: the stages, and the tasks of each. */
export function withTasks(types: readonly JobType[]): (JobType | TaskType)[] {
  return [...types, ...TASKS.filter((t) => types.includes(t.of)).map((t) => t.type)];
}

export function stageOf(pipeline: Pipeline, type: string): Stage | undefined {
  return pipeline.find((s) => s.type === type);
}

/** Position of a story status in the pipeline: -1 pending, the stage index while working, length when published. */
export function progressIndex(pipeline: Pipeline, status: StoryStatus): number {
  if (status === 'published') return pipeline.length;
  return pipeline.findIndex((s) => s.status === status);
}
