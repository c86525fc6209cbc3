import type { Queryable } from './types.js';

/** Typed queries on the cost ledger (supabase/migrations/*_costs.sql). */

export interface CostRow {
  id: number;
  story_id: string;
  stage: string;
  provider: string;
  model: string;
  operation: string;
  scene: number | null;
  tokens_in: number;
  tokens_out: number;
  images: number;
  characters: number;
  /** Google Search queries of a grounded call */
  search_queries: number;
  usd: number;
  priced: boolean;
  created_at: Date;
}

export type NewCost = Omit<CostRow, 'id' | 'created_at'>;

export async function insertCost(db: Queryable, c: NewCost): Promise<void> {
  await db.query(
    `insert into costs (story_id, stage, provider, model, operation, scene, tokens_in, tokens_out, images, characters, search_queries, usd, priced)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [c.story_id, c.stage, c.provider, c.model, c.operation, c.scene, c.tokens_in, c.tokens_out, c.images, c.characters, c.search_queries, c.usd, c.priced],
  );
}

export async function listCosts(db: Queryable, storyId: string): Promise<CostRow[]> {
  return db.query<CostRow>(
    'select id::float8 as id, story_id, stage, provider, model, operation, scene, tokens_in::float8 as tokens_in, tokens_out::float8 as tokens_out, images, characters::float8 as characters, search_queries, usd, priced, created_at from costs where story_id = $1 order by id',
    [storyId],
  );
}

/** Spent so far, in USD, by story (only the given stories; all with `null`). */
export async function costByStory(db: Queryable, storyIds: string[] | null): Promise<Map<string, number>> {
  const rows = storyIds
    ? await db.query<{ story_id: string; usd: number }>('select story_id, sum(usd) as usd from costs where story_id = any ($1) group by story_id', [storyIds])
    : await db.query<{ story_id: string; usd: number }>('select story_id, sum(usd) as usd from costs group by story_id');
  return new Map(rows.map((r) => [r.story_id, Number(r.usd)]));
}

export async function totalCost(db: Queryable): Promise<number> {
  const [{ usd }] = await db.query<{ usd: number | null }>('select sum(usd) as usd from costs');
  return Number(usd ?? 0);
}
