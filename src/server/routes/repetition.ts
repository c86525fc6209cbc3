import { z } from 'zod';
import { checkRepetition } from '../../review/repetition.js';
import type { Services } from '../../stages/types.js';
import { errorSchema, storyIdParams } from '../schemas.js';
import type { App } from './contact-sheet.js';

const other = { story_id: z.uuid().describe('the earlier story'), topic: z.string(), message: z.string().describe('the warning, for people') };
const picture = z.strictObject({ kind: z.enum(['still', 'thumbnail']), scene: z.number().int().nullable().describe("the scene's position; null for the thumbnail") });

export const repetitionSchema = z.strictObject({
  story_id: z.uuid(),
  warnings: z.array(
    z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('script'), ...other, similarity: z.number().describe('Jaccard similarity of the two scripts\' word shingles, 0..1') }),
      z.strictObject({ kind: z.literal('picture'), ...other, picture: picture.describe("this story's picture"), other: picture.describe("the earlier story's picture"), distance: z.number().int().describe('dHash bits (of 128) that differ') }),
    ]),
  ),
  compared: z.strictObject({ stories: z.number().int(), scripts: z.number().int(), pictures: z.number().int() }).describe('what the story was compared with: every story created before it'),
  thresholds: z.strictObject({ script_similarity: z.number(), shingle_words: z.number().int(), picture_distance: z.number().int() }),
});

/** GET /stories/{id}/repetition: warnings when the script or a picture repeats an earlier story's. */
export function repetitionRoute(app: App, s: Services): void {
  app.get('/stories/:story_id/repetition', {
    schema: {
      summary: "Warnings when the story's script is close to an earlier story's, or a still or the thumbnail is a near copy of an earlier story's picture",
      params: storyIdParams,
      response: { 200: repetitionSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema },
    },
    handler: async (req) => checkRepetition({ db: s.db, storage: s.storage, warn: (message) => s.logger.warn(message) }, req.params.story_id),
  });
}
