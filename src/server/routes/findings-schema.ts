import { z } from 'zod';

/** The review's findings (src/review/findings.ts) in the OpenAPI document. */
export const findingsSchema = z.object({
  sheet: z.object({ location: z.string(), bytes: z.number() }).nullable().describe('the contact sheet PNG (GET /stories/{id}/contact-sheet); null before the render'),
  repetition: z
    .array(
      z.object({
        kind: z.enum(['script', 'picture']),
        story_id: z.uuid().describe('the earlier story it resembles'),
        topic: z.string(),
        similarity: z.number().optional().describe('script: share of shingled word phrases in common'),
        distance: z.number().optional().describe('picture: differing bits of 128 (perceptual hash)'),
        message: z.string(),
      }),
    )
    .describe('near-copies of earlier stories (GET /stories/{id}/repetition has the details)'),
  research: z.object({
    origin: z.string().nullable().describe('search: grounded writing; operator: the operator’s links; none: offline, no sources'),
    sources: z.array(z.object({ position: z.number().int(), url: z.string(), title: z.string().nullable(), citations: z.number().int() })),
    claims: z.object({ checked: z.number().int(), unsupported: z.array(z.object({ text: z.string(), scene: z.number().int().nullable() })) }),
  }),
  pictures: z
    .object({
      archival: z.number().int(),
      generated: z.number().int().describe('stills drawn by a generator (or of unknown origin): the synthetic-media disclosure follows them'),
      credits: z.array(z.object({ scene: z.number().int(), source: z.string(), title: z.string(), author: z.string().nullable(), licence: z.string(), page_url: z.string() })),
    })
    .describe('where the stills come from; the credits of the archival ones'),
});
