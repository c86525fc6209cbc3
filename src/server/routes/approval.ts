import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { approveStory, rejectStory } from '../../approval/index.js';
import { buildReview } from '../../review/index.js';
import type { Pipeline } from '../../stages/index.js';
import type { Services } from '../../stages/types.js';
import { errorSchema, storyIdParams, storySchema } from '../schemas.js';
import { findingsSchema } from './findings-schema.js';

/** The approval gate over HTTP: the review of a held story, approve, reject; the CLI's functions and messages. */

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, errorSchema]));
const file = z.object({ location: z.string(), bytes: z.number() }).nullable();

export const reviewSchema = z.object({
  story_id: z.uuid(),
  topic: z.string(),
  language: z.string(),
  status: z.string(),
  approval: z.boolean().describe('the upload waits for approval'),
  awaiting_approval_since: z.date().nullable().describe('since when the held upload has waited; null: not waiting'),
  publisher: z.string(),
  youtube: z
    .object({
      title: z.string(),
      description: z.string(),
      tags: z.array(z.string()),
      category_id: z.string(),
      privacy: z.string(),
      publish_at: z.date().nullable().describe('when YouTube makes it public; null: at once'),
      schedule: z.enum(['story', 'slot', 'next free slot', 'config']).nullable().describe('where publish_at comes from'),
      contains_synthetic_media: z.boolean().describe('the synthetic-media disclosure sent with the video'),
      made_for_kids: z.boolean(),
      captions: z.boolean(),
      playlist_id: z.string().nullable(),
    })
    .nullable()
    .describe('what YouTube receives; null with another publisher or before the metadata exists'),
  folder: z.string().nullable().describe("the folder publisher's destination"),
  metadata: storySchema.shape.metadata,
  cost: z.object({ usd: z.number(), budget_usd: z.number().nullable(), paid_calls: z.number().int() }),
  checks: z.object({ render: z.enum(['passed', 'not rendered']), note: z.string() }),
  files: z.object({ video: file, thumbnail: file, captions: file }),
  history: z.array(z.object({ id: z.number().int(), story_id: z.uuid(), kind: z.string(), stage: z.string().nullable(), note: z.string().nullable(), created_at: z.date() })),
  findings: findingsSchema,
});

const note = z.string().max(2000, 'the note is longer than 2000 characters').optional().describe("kept in the story's history");
export const approveBodySchema = z.strictObject({ note }).nullish();
export const rejectBodySchema = z.strictObject({
  from: z.string({ error: 'give from: the stage to redo the story from, e.g. "generate_images"' }).describe('redo from this stage (before upload_youtube)'),
  note,
});

export function approvalRoutes(s: Services, pipeline: Pipeline): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/stories/:story_id/review', {
      schema: { summary: 'Everything the upload will send, the files, render check, cost and history (the JSON of `review ID --json`)', params: storyIdParams, response: { 200: reviewSchema, ...errors(400, 401, 404) } },
      handler: async (req) => buildReview(s, req.params.story_id),
    });

    app.post('/stories/:story_id/approve', {
      schema: {
        summary: 'Let the held upload of a story awaiting approval go (like `approve ID`)',
        params: storyIdParams,
        body: approveBodySchema,
        response: { 200: z.strictObject({ story_id: z.uuid(), job_id: z.number().int(), slot: z.date().nullable() }), ...errors(400, 401, 404, 409) },
      },
      handler: async (req) => approveStory(s, req.params.story_id, req.body?.note),
    });

    app.post('/stories/:story_id/reject', {
      schema: {
        summary: 'Send a story awaiting approval back to a stage (like `reject ID --from STAGE --note TEXT`)',
        params: storyIdParams,
        body: rejectBodySchema,
        response: { 200: z.strictObject({ story_id: z.uuid(), stage: z.string() }), ...errors(400, 401, 404, 409) },
      },
      handler: async (req) => rejectStory(s, pipeline, req.params.story_id, req.body.from, req.body.note),
    });
  };
}
