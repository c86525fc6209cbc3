import { z } from 'zod';
import { JOB_TYPES, PIPELINE, TASKS } from '../stages/index.js';
import { newStorySchema } from '../stories.js';
import { researchSchema } from './research-schema.js';

/**
 * What the API answers, for the OpenAPI document and the serializer. Requests are validated with the
 * schemas the CLI uses (src/stories.ts); these describe the rows as `status --json` prints them.
 * Every column is listed: the serializer drops what is not (the tests compare with `status --json`).
 */

const statusSchema = z.enum(['pending', ...PIPELINE.map((s) => s.status), 'published', 'failed'] as [string, ...string[]]);

const time = z.date();
const jobType = z.enum(JOB_TYPES as [string, ...string[]]);
/** A job's type: a stage's, or a piece of a stage's work (`render_part`, which carries its part in `payload`). */
const anyJobType = z.enum([...JOB_TYPES, ...TASKS.map((t) => t.type)] as [string, ...string[]]);

export const errorSchema = z.strictObject({
  error: z.strictObject({
    code: z.string().describe('stable machine-readable code, e.g. invalid_request, unauthorized, not_found, rate_limited'),
    message: z.string().describe('what happened and what to do, for people'),
  }),
});

export const storyIdParams = z.strictObject({ story_id: z.string().describe('story id, or a unique prefix of 4+ characters') });

export const createdSchema = z.strictObject({ story_id: z.uuid(), status: statusSchema.describe('pending: queued for its first stage') });

export const retryBodySchema = z
  .strictObject({
    from: z.string().optional().describe(`redo from this stage, clearing what it and the stages that need it made: ${JOB_TYPES.join(', ')}`),
    budget_usd: newStorySchema.shape.budget_usd.describe('a new spending limit in USD (e.g. after "budget reached")'),
  })
  .nullish();

export const retriedSchema = z.strictObject({ story_id: z.uuid(), status: statusSchema, stage: jobType });

export const storySchema = z.object({
  id: z.uuid(),
  topic: z.string(),
  language: z.string(),
  status: statusSchema,
  script_text: z.string().nullable(),
  script_source: z.object({ provider: z.string(), file: z.string().optional() }).nullable(),
  metadata: z
    .object({
      title: z.string(),
      description: z.string(),
      tags: z.array(z.string()),
      chapters: z.array(z.object({ start: z.number(), title: z.string() })),
      thumbnailHeadline: z.string().optional(),
      preview: z.boolean(),
    })
    .nullable(),
  error_message: z.string().nullable(),
  youtube_video_id: z.string().nullable(),
  youtube_url: z.string().nullable(),
  budget_usd: z.number().nullable().describe('spending limit in USD for paid provider calls; null: none'),
  approval: z.boolean().describe('the upload waits for POST /stories/{id}/approve'),
  created_at: time,
  updated_at: time,
});

const sceneSchema = z.object({
  id: z.uuid(),
  story_id: z.uuid(),
  position: z.number().int(),
  title: z.string().nullable(),
  text_content: z.string(),
  image_prompt: z.string(),
  /** the words the archives are searched with (written by the Gemini script writer), or null */
  image_search: z.string().nullable(),
  /** who made the still: `archive`, `gemini`, `preview`; null before it exists */
  image_provider: z.string().nullable(),
  image_url: z.string().nullable(),
  audio_url: z.string().nullable(),
  duration_seconds: z.number().nullable(),
  sentence_timings: z.array(z.object({ text: z.string(), start: z.number(), end: z.number() })).nullable(),
  created_at: time,
  updated_at: time,
});

const jobSchema = z.object({
  id: z.number().int(),
  story_id: z.uuid(),
  type: anyJobType,
  status: z.enum(['queued', 'processing', 'completed', 'failed']),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  run_at: time.nullable().describe('when it may run; null: held for a person (see held)'),
  held: z.string().nullable().describe("why a queued job waits for a person, e.g. 'awaiting approval'"),
  locked_by: z.string().nullable(),
  locked_until: time.nullable(),
  last_error: z.string().nullable(),
  created_at: time,
  updated_at: time,
  started_at: time.nullable(),
  finished_at: time.nullable(),
  /** what a piece of a stage's work is about, e.g. `{ "part": 3 }` for a render part; null for a stage's job */
  payload: z.record(z.string(), z.unknown()).nullable(),
});

const assetSchema = z.object({
  id: z.uuid(),
  story_id: z.uuid(),
  kind: z.string(),
  storage_key: z.string(),
  url: z.string(),
  content_type: z.string(),
  bytes: z.number().int(),
  created_at: time,
});

const costSchema = z.object({
  id: z.number().int(),
  story_id: z.uuid(),
  stage: z.string(),
  provider: z.string(),
  model: z.string(),
  operation: z.string(),
  scene: z.number().int().nullable(),
  tokens_in: z.number(),
  tokens_out: z.number(),
  images: z.number(),
  characters: z.number(),
  search_queries: z.number().describe('Google Search queries of a grounded call'),
  usd: z.number(),
  priced: z.boolean(),
  created_at: time,
});

const usd = z.number().describe('USD, from the cost ledger');

export const storyDetailSchema = storySchema.extend({
  scenes: z.array(sceneSchema),
  jobs: z.array(jobSchema),
  assets: z.array(assetSchema),
  costs: z.array(costSchema),
  cost_usd: usd,
  research: researchSchema,
});

export const storyPageResponseSchema = z.strictObject({
  stories: z.array(storySchema.extend({ cost_usd: usd })),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  total_cost_usd: usd,
});

export const healthSchema = z.strictObject({ status: z.literal('ok') });
