import { z } from 'zod';
import type { Claim, ClaimKind, Research } from '../types.js';

/**
 * The fact-check's rules, apart from any model: the shape a claims answer must have, and the verdict.
 * The model only points each claim at a passage; whether that makes it supported is decided here.
 */

export const CLAIM_KINDS: readonly ClaimKind[] = ['date', 'name', 'place', 'number', 'quotation', 'other'];
export const MAX_CLAIMS = 60;

export const claimsSchema = z.strictObject({
  claims: z
    .array(
      z.strictObject({
        scene: z.number().int().min(1).describe('the scene it is spoken in'),
        text: z.string().min(3).max(400).describe('the claim in one short sentence'),
        kind: z.enum(CLAIM_KINDS as [ClaimKind, ...ClaimKind[]]),
        passage: z.number().int().min(1).nullable().describe('the number of the source passage that states it, or null'),
      }),
    )
    .max(MAX_CLAIMS),
});
export type RawClaims = z.output<typeof claimsSchema>['claims'];

/** The figures in a text (years, counts, amounts), as digits: 1,200 and 1200 are one figure. */
export function figuresOf(text: string): string[] {
  return (text.match(/\d[\d,.]*/g) ?? []).map((n) => n.replace(/[,.](?=\d{3}\b)/g, '').replace(/[.,]$/, ''));
}

/**
 * A claim is supported when the passage it points at exists, belongs to its scene (or to the whole
 * script) and, for grounded passages (text the search results back), holds every figure the claim
 * states: a number the sources do not give is not backed. An operator's passages are their own
 * narration beside a link, so only the scene is checked.
 */
export function judgeClaims(raw: RawClaims, research: Research, sceneCount: number): Claim[] {
  return raw
    .filter((c) => c.scene <= sceneCount)
    .map((c) => {
      const p = c.passage ? research.passages[c.passage - 1] : undefined;
      const inScene = p !== undefined && (p.scene === null || p.scene === c.scene);
      const figures = p ? new Set(figuresOf(p.text)) : new Set<string>();
      const ok = inScene && (research.origin !== 'search' || figuresOf(c.text).every((f) => figures.has(f)));
      return { text: c.text.trim(), kind: c.kind, scene: c.scene, verdict: ok ? 'supported' : 'unsupported', sources: ok ? p!.sources.map((i) => i + 1) : [] };
    });
}
