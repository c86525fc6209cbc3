import { z } from 'zod';

/** The `research` of `GET /stories/{id}` (and `status ID --json`): sources, their scenes, and the claims with verdicts. */
export const researchSchema = z.object({
  origin: z.enum(['search', 'operator', 'none']).nullable().describe("search: written with Google Search; operator: the operator's links; none: not researched (offline); null: nothing recorded"),
  search_queries: z.array(z.string()).describe('the Google Search queries the model ran'),
  fact_check: z.enum(['warn', 'block']).nullable().describe('research.factCheck when the claims were checked'),
  checked_at: z.date().nullable(),
  sources: z.array(
    z.object({
      position: z.number().int(),
      url: z.string(),
      title: z.string().nullable(),
      domain: z.string().nullable(),
      retrieved_at: z.date(),
      citations: z.number().int().describe('grounded passages of narration it backs'),
      scenes: z.array(z.number().int()).describe('scenes whose narration it backs'),
    }),
  ),
  claims: z.array(
    z.object({
      position: z.number().int(),
      scene: z.number().int().nullable(),
      text: z.string(),
      kind: z.string().describe('date, name, place, number, quotation or other'),
      verdict: z.enum(['supported', 'unsupported']),
      sources: z.array(z.number().int()).describe('positions of the sources that back it'),
    }),
  ),
});
