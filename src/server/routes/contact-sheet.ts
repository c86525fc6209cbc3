import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import fs from 'node:fs';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAssets } from '../../db/stories.js';
import { CONTACT_SHEET } from '../../review/contact-sheet.js';
import type { Services } from '../../stages/types.js';
import { resolveStory } from '../../stories.js';
import { ApiError } from '../errors.js';
import { errorSchema, storyIdParams } from '../schemas.js';

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** GET /stories/{id}/contact-sheet: the PNG the render stage wrote (one frame a scene, and the thumbnail). */
export function contactSheetRoute(app: App, s: Services): void {
  app.get('/stories/:story_id/contact-sheet', {
    schema: {
      summary: 'The contact sheet: one frame of the rendered video a scene, with its time and narration, and the thumbnail (PNG)',
      params: storyIdParams,
      response: {
        200: { description: 'the contact sheet', content: { 'image/png': { schema: z.string().meta({ format: 'binary' }) } } },
        400: errorSchema,
        401: errorSchema,
        404: errorSchema.describe('no such story, or no contact sheet yet (it is written when the video is rendered)'),
      },
    },
    handler: async (req, reply) => {
      const story = await resolveStory(s.db, req.params.story_id);
      const asset = (await listAssets(s.db, story.id)).find((a) => a.kind === CONTACT_SHEET.kind);
      if (!asset || !(await s.storage.exists(asset.storage_key))) {
        throw new ApiError(404, 'not_found', `story ${story.id} has no contact sheet yet: it is written when the video is rendered (the story is ${story.status}); \`lost-archives review ${story.id} --sheet\` makes one`);
      }
      const png = await fs.promises.readFile(await s.storage.localPath(asset.storage_key));
      // fastify sends a Buffer as it is (no serializer); the schema's string type is for the OpenAPI document
      return reply.type(CONTACT_SHEET.contentType).header('cache-control', 'no-cache').send(png as unknown as string);
    },
  });
}
