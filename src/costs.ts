import type { Price } from './config/google.js';
import { insertCost } from './db/costs.js';
import type { Queryable } from './db/types.js';
import { PermanentError } from './errors.js';
import type { Logger } from './log.js';
import type { MeteredCall, Meter, Usage } from './providers/types.js';
import type { JobType, Story } from './types.js';

/**
 * The cost ledger's arithmetic: prices from the config over the built-in table, a call's price from
 * its usage, and the per-story meter the stages hand to the providers.
 */

/**
 * Built-in prices in USD (Gemini API paid tier and Cloud TTS list prices as read in November 2026;
 * the README says where to check them). `google.prices` in the config overrides any entry.
 */
export const DEFAULT_PRICES: Record<string, Price> = {
  // list price from 2027-01-01; Google charges half ($0.75 / $3.75) until 2026-12-31, so budgets err high.
  // Grounding with Google Search on Gemini 3: $14 per 1,000 search queries (after a monthly free allowance,
  // which the ledger does not count, so it errs high again)
  'gemini-3.8-flash': { inputPerMillionTokens: 1.5, outputPerMillionTokens: 7.5, perSearchQuery: 0.014 },
  'gemini-3.5-flash': { inputPerMillionTokens: 1.5, outputPerMillionTokens: 9, perSearchQuery: 0.014 },
  'gemini-3.5-flash-lite': { inputPerMillionTokens: 0.3, outputPerMillionTokens: 2.5, perSearchQuery: 0.014 },
  'gemini-3.1-flash-lite': { inputPerMillionTokens: 0.25, outputPerMillionTokens: 1.5, perSearchQuery: 0.014 },
  // image models: the picture per image, and text and thinking tokens at the output rate
  'gemini-3.1-flash-image': { inputPerMillionTokens: 0.5, outputPerMillionTokens: 3, perImage: 0.067 },
  'gemini-3-pro-image': { inputPerMillionTokens: 2, outputPerMillionTokens: 12, perImage: 0.134 },
  Standard: { perMillionCharacters: 4 },
  Wavenet: { perMillionCharacters: 16 },
  Neural2: { perMillionCharacters: 16 },
  'Chirp3-HD': { perMillionCharacters: 30 },
  Studio: { perMillionCharacters: 160 },
};

export function priceTable(overrides: Record<string, Price>): Record<string, Price> {
  return { ...DEFAULT_PRICES, ...overrides };
}

/** The voice type a Cloud TTS voice is billed as: `en-US-Chirp3-HD-Kore` → `Chirp3-HD`. */
export function voiceType(voice: string): string {
  const m = /^[a-z]{2,3}-[A-Z]{2}-(.+)-[^-]+$/.exec(voice);
  return m ? m[1] : voice;
}

/** USD for this usage, or null when the table has no price for the model. */
export function priceOf(prices: Record<string, Price>, model: string, usage: Usage): number | null {
  const p = prices[model];
  if (!p) return null;
  return (
    ((usage.tokensIn ?? 0) * (p.inputPerMillionTokens ?? 0)) / 1e6 +
    ((usage.tokensOut ?? 0) * (p.outputPerMillionTokens ?? 0)) / 1e6 +
    (usage.images ?? 0) * (p.perImage ?? 0) +
    ((usage.characters ?? 0) * (p.perMillionCharacters ?? 0)) / 1e6 +
    (usage.searchQueries ?? 0) * (p.perSearchQuery ?? 0)
  );
}

const usd = (n: number) => `$${n < 0.1 ? n.toFixed(4) : n.toFixed(2)}`;

/**
 * The meter of one story within one stage: each call reserves its estimated price before it is made
 * (refused when spent + reserved + estimate would pass the story's budget) and records its real usage
 * after. Reservations are per process; workers on other machines see only what is recorded.
 */
export function storyMeter(deps: { db: Queryable; prices: Record<string, Price>; log: Logger }, story: Pick<Story, 'id' | 'budget_usd'>, stage: JobType): Meter {
  let reserved = 0;
  const unpriced = new Set<string>();
  return {
    async reserve(call: MeteredCall) {
      const estimate = priceOf(deps.prices, call.model, call.usage);
      if (estimate === null && !unpriced.has(call.model)) {
        unpriced.add(call.model);
        deps.log.warn(`no price for ${call.model} in google.prices: its calls are recorded at $0 and the budget cannot count them`);
      }
      if (estimate === null && story.budget_usd != null) {
        throw new PermanentError(
          `the story has a budget, but ${call.model} has no price: add it to google.prices in the config (e.g. { '${call.model}': { inputPerMillionTokens: …, outputPerMillionTokens: … } }) so its calls can be counted`,
        );
      }
      const cost = estimate ?? 0;
      // reserved before the query, so calls made at the same moment see each other
      const others = reserved;
      reserved += cost;
      if (story.budget_usd != null) {
        try {
          const [{ spent }] = await deps.db.query<{ spent: number | null }>('select sum(usd) as spent from costs where story_id = $1', [story.id]);
          const committed = Number(spent ?? 0) + others;
          if (committed + cost > story.budget_usd) {
            const what = `${call.operation}${call.scene ? ` of scene ${call.scene}` : ''}`;
            throw new PermanentError(
              `budget reached: the story has spent ${usd(committed)} of its ${usd(story.budget_usd)} budget and the ${what} (${call.model}) would cost about ${usd(cost)}. ` +
                'Nothing more was spent; `lost-archives status ID` shows the ledger, `lost-archives retry ID --budget USD` raises the budget and resumes',
            );
          }
        } catch (err) {
          reserved -= cost;
          throw err;
        }
      }
      let settled = false;
      return {
        async settle(usage: Usage | null) {
          if (settled) return;
          settled = true;
          // the reservation is released only once the ledger holds the call, so it is never counted nowhere
          try {
            if (usage) await record(usage);
          } finally {
            reserved -= cost;
          }
        },
      };
      async function record(usage: Usage) {
        const price = priceOf(deps.prices, call.model, usage);
        await insertCost(deps.db, {
          story_id: story.id,
          stage,
          provider: call.provider,
          model: call.model,
          operation: call.operation,
          scene: call.scene ?? null,
          tokens_in: usage.tokensIn ?? 0,
          tokens_out: usage.tokensOut ?? 0,
          images: usage.images ?? 0,
          characters: usage.characters ?? 0,
          search_queries: usage.searchQueries ?? 0,
          usd: price ?? 0,
          priced: price !== null,
        });
      }
    },
  };
}

/** Runs a metered call: reserve, call, settle with what the call reports it used (nothing when it failed unbilled). */
export async function metered<T>(meter: Meter | undefined, call: MeteredCall, fn: () => Promise<{ result: T; usage: Usage | null }>): Promise<T> {
  const reservation = await meter?.reserve(call);
  try {
    const { result, usage } = await fn();
    await reservation?.settle(usage);
    return result;
  } catch (err) {
    const billed = (err as { billedUsage?: Usage }).billedUsage;
    await reservation?.settle(billed ?? null);
    throw err;
  }
}

/** The meter a stage hands to its provider calls for this story. */
export function stageMeter(ctx: { db: Queryable; config: { google: { prices: Record<string, Price> } }; log: Logger }, story: Pick<Story, 'id' | 'budget_usd'>, stage: JobType): Meter {
  return storyMeter({ db: ctx.db, prices: priceTable(ctx.config.google.prices), log: ctx.log }, story, stage);
}
