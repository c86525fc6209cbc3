/** The package's public API: typed configs for lost-archives.config.ts, and the building blocks. */
export { defineConfig, loadConfig, type Config, type UserConfig } from './config.js';
export { PIPELINE } from './stages/index.js';
export type { Stage, StageContext, Services } from './stages/index.js';
export type { Story, Scene, Job, Asset, StoryStatus, JobType, JobStatus } from './types.js';
