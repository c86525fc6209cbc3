import type { Queryable } from '../../../db/types.js';
import { DeferredError } from '../../../errors.js';

/**
 * YouTube Data API quota. Since 2026-06-01 `videos.insert` has its own daily bucket of calls; every other
 * call spends units from the 10,000 a day. Both reset at midnight Pacific time.
 */
export const COSTS = {
  'videos.insert': { bucket: 'uploads', cost: 1 },
  'thumbnails.set': { bucket: 'units', cost: 50 },
  'captions.insert': { bucket: 'units', cost: 400 },
  'playlistItems.insert': { bucket: 'units', cost: 50 },
  'playlistItems.list': { bucket: 'units', cost: 1 },
} as const;

export type Call = keyof typeof COSTS;
export type Bucket = (typeof COSTS)[Call]['bucket'];

const ZONE = 'America/Los_Angeles';

function pacificParts(t: Date): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(t);
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { y: n('year'), m: n('month'), d: n('day'), h: n('hour'), min: n('minute'), s: n('second') };
}

/** The Pacific calendar day `t` falls on, `YYYY-MM-DD`: the day quota is counted against. */
export function pacificDay(t: Date): string {
  const { y, m, d } = pacificParts(t);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The next midnight in America/Los_Angeles after `t` (when YouTube quota resets), DST included. */
export function nextQuotaReset(t: Date): Date {
  const { y, m, d } = pacificParts(t);
  const target = Date.UTC(y, m - 1, d + 1, 0, 0, 0);
  // the zone's offset near the target, then once more at the candidate (midnight is never skipped by DST)
  let guess = target + 8 * 3600_000;
  for (let i = 0; i < 2; i++) {
    const p = pacificParts(new Date(guess));
    const offset = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s) - guess;
    guess = target - offset;
  }
  return new Date(guess);
}

/** YouTube says "try again in 24 hours" when a channel reaches its upload limit. */
const UPLOAD_LIMIT_SECONDS = 24 * 3600;
export const UPLOAD_LIMIT_WAIT = "YouTube's upload limit for this channel";

export interface QuotaLimits {
  uploadsPerDay: number;
  unitsPerDay: number;
}

/**
 * The publisher's port for the quota: pay for a call (or wait for the reset), close the day when YouTube
 * says it is spent, and wait out the channel's upload limit.
 */
export interface QuotaCounter {
  spend(call: Call): Promise<void>;
  requireUnits(units: number, call: Call): Promise<void>;
  exhaust(call: Call, why: string): Promise<DeferredError>;
  uploadLimit(): DeferredError;
}

/** Counts the quota in the database, so every worker shares one tally. */
export class QuotaLedger implements QuotaCounter {
  constructor(private readonly db: Queryable, private readonly limits: QuotaLimits, private readonly now: () => Date = () => new Date()) {}

  private limit(bucket: Bucket): number {
    return bucket === 'uploads' ? this.limits.uploadsPerDay : this.limits.unitsPerDay;
  }

  /** Spends the call's cost, or throws a DeferredError until the reset when today's bucket cannot pay it. */
  async spend(call: Call): Promise<void> {
    const { bucket, cost } = COSTS[call];
    const [row] = await this.db.query<{ ok: boolean }>('select la_youtube_spend($1, $2, $3, $4) as ok', [pacificDay(this.now()), bucket, cost, this.limit(bucket)]);
    if (!row.ok) throw this.exhausted(call, `today's ${bucketName(bucket)} quota (${this.limit(bucket)}) is spent`);
  }

  /**
   * Before a new upload: waits for the reset unless today's units can still pay for the calls that follow
   * it (so a video is not left without its captions until tomorrow). A plan larger than a whole day's
   * units can never wait its way in, and goes ahead.
   */
  async requireUnits(units: number, call: Call): Promise<void> {
    const limit = this.limits.unitsPerDay;
    if (units > limit) return;
    const used = (await this.used()).units;
    if (used + units > limit) throw this.exhausted(call, `today's API units (${limit - used} of ${limit} left) cannot pay for the ${units} the rest of this upload needs`);
  }

  /** YouTube refused for quota before our count did: close today's bucket and wait for the reset. */
  async exhaust(call: Call, why: string): Promise<DeferredError> {
    const { bucket } = COSTS[call];
    await this.db.query('select la_youtube_spend($1, $2, null, $3)', [pacificDay(this.now()), bucket, this.limit(bucket)]);
    return this.exhausted(call, why);
  }

  /** Waits for the reset (and a minute more, for clocks that disagree). */
  exhausted(call: Call, why: string): DeferredError {
    const reset = nextQuotaReset(this.now());
    const seconds = Math.ceil((reset.getTime() - this.now().getTime()) / 1000) + 60;
    return new DeferredError(`YouTube ${call}: ${why}; waiting for the daily reset at ${reset.toISOString()} (midnight Pacific)`, seconds);
  }

  /**
   * The channel's own upload limit (`uploadLimitExceeded`, HTTP 400): a rolling 24 hours per channel, not the
   * project's daily quota, so the count stays open for other calls and the upload waits a day from now.
   */
  uploadLimit(): DeferredError {
    const at = new Date(this.now().getTime() + UPLOAD_LIMIT_SECONDS * 1000);
    return new DeferredError(`${UPLOAD_LIMIT_WAIT}: trying again at ${at.toISOString()}`, UPLOAD_LIMIT_SECONDS);
  }

  async used(day = pacificDay(this.now())): Promise<Record<Bucket, number>> {
    const rows = await this.db.query<{ bucket: Bucket; used: number }>('select bucket, used from youtube_quota where day = $1', [day]);
    return { uploads: 0, units: 0, ...Object.fromEntries(rows.map((r) => [r.bucket, Number(r.used)])) };
  }
}

function bucketName(b: Bucket): string {
  return b === 'uploads' ? 'videos.insert calls' : 'API units';
}
