import type { Claim, Research } from '../providers/types.js';
import type { Queryable } from './types.js';

/** Typed queries on a story's research: sources, their scenes and the claims (supabase/migrations/*_research.sql). */

export interface SourceRow {
  position: number;
  url: string;
  title: string | null;
  domain: string | null;
  retrieved_at: Date;
  /** grounded passages of narration it backs, in all scenes */
  citations: number;
  /** scenes whose narration it backs */
  scenes: number[];
}

export interface ClaimRow extends Claim {
  position: number;
}

export interface StoryResearch {
  /** search: grounded writing; operator: the operator's links; none: not researched (offline); null: nothing recorded yet */
  origin: Research['origin'] | null;
  search_queries: string[];
  /** research.factCheck when the claims were checked (warn, block), or null */
  fact_check: 'warn' | 'block' | null;
  checked_at: Date | null;
  sources: SourceRow[];
  claims: ClaimRow[];
}

export async function clearResearch(db: Queryable, storyId: string): Promise<void> {
  for (const table of ['claims', 'scene_sources', 'sources', 'research']) await db.query(`delete from ${table} where story_id = $1`, [storyId]);
}

/** Replaces the story's research (its claims go too: they were checked against the old sources). */
export async function saveResearch(db: Queryable, storyId: string, r: Research): Promise<void> {
  await clearResearch(db, storyId);
  await db.query('insert into research (story_id, origin, search_queries, passages) values ($1, $2, $3, $4)', [storyId, r.origin, r.queries, JSON.stringify(r.passages)]);
  for (const [i, s] of r.sources.entries()) {
    await db.query('insert into sources (story_id, position, url, title, domain) values ($1, $2, $3, $4, $5)', [storyId, i + 1, s.url, s.title, s.domain]);
  }
  const links = new Map<string, number>();
  for (const p of r.passages) {
    if (p.scene === null) continue;
    for (const source of p.sources) links.set(`${p.scene} ${source + 1}`, (links.get(`${p.scene} ${source + 1}`) ?? 0) + 1);
  }
  for (const [key, passages] of links) {
    const [scene, source] = key.split(' ').map(Number);
    await db.query('insert into scene_sources (story_id, scene, source, passages) values ($1, $2, $3, $4)', [storyId, scene, source, passages]);
  }
}

/** Records the checked claims and when, with the mode they were checked in. */
export async function saveClaims(db: Queryable, storyId: string, claims: Claim[], mode: 'warn' | 'block'): Promise<void> {
  await db.query('delete from claims where story_id = $1', [storyId]);
  for (const [i, c] of claims.entries()) {
    await db.query('insert into claims (story_id, position, scene, text, kind, verdict, sources) values ($1, $2, $3, $4, $5, $6, $7)', [
      storyId, i + 1, c.scene, c.text, c.kind, c.verdict, c.sources,
    ]);
  }
  await db.query('update research set fact_check = $2, checked_at = now() where story_id = $1', [storyId, mode]);
}

/** The research as the writer returned it (what the fact-check reads), or null when none is recorded. */
export async function recordedResearch(db: Queryable, storyId: string): Promise<Research | null> {
  const [row] = await db.query<{ origin: Research['origin']; search_queries: string[]; passages: Research['passages'] }>(
    'select origin, search_queries, passages from research where story_id = $1',
    [storyId],
  );
  if (!row) return null;
  const sources = await db.query<Research['sources'][number]>('select url, title, domain from sources where story_id = $1 order by position', [storyId]);
  return { origin: row.origin, queries: row.search_queries, sources, passages: row.passages };
}

export async function getResearch(db: Queryable, storyId: string): Promise<StoryResearch> {
  const [row] = await db.query<{ origin: Research['origin']; search_queries: string[]; fact_check: 'warn' | 'block' | null; checked_at: Date | null }>(
    'select origin, search_queries, fact_check, checked_at from research where story_id = $1',
    [storyId],
  );
  const sources = await db.query<Omit<SourceRow, 'citations' | 'scenes'>>('select position, url, title, domain, retrieved_at from sources where story_id = $1 order by position', [storyId]);
  const links = await db.query<{ scene: number; source: number; passages: number }>('select scene, source, passages from scene_sources where story_id = $1 order by scene, source', [storyId]);
  const claims = await db.query<ClaimRow>('select position, scene, text, kind, verdict, sources from claims where story_id = $1 order by position', [storyId]);
  return {
    origin: row?.origin ?? null,
    search_queries: row?.search_queries ?? [],
    fact_check: row?.fact_check ?? null,
    checked_at: row?.checked_at ?? null,
    sources: sources.map((s) => {
      const mine = links.filter((l) => l.source === s.position);
      return { ...s, citations: mine.reduce((n, l) => n + l.passages, 0), scenes: mine.map((l) => l.scene) };
    }),
    claims,
  };
}
