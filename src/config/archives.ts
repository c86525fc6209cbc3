import { z } from 'zod';
import { retryPolicySchema } from './retry.js';

/** `archives`: the `archive` image provider's sources (Wikimedia Commons, the Library of Congress) and its manners. */
export const archivesSchema = z.strictObject({
  /** The MediaWiki Action API of Wikimedia Commons (a proxy, or a fake in tests). Default `https://commons.wikimedia.org/w/api.php`. */
  commonsUrl: z.url().default('https://commons.wikimedia.org/w/api.php'),
  /** The loc.gov JSON API root; pictures are searched at `<locUrl>/photos/`. Default `https://www.loc.gov`. */
  locUrl: z.url().default('https://www.loc.gov'),
  /**
   * The User-Agent sent to both archives, with a way to reach you, as both ask:
   * `ChannelBot/1.0 (https://example.org/contact; ops@example.org)`. Required when `providers.image` includes `archive`.
   */
  userAgent: z
    .string()
    .regex(/(@|https?:\/\/)/, 'must name a contact: an e-mail address or a URL, e.g. "ChannelBot/1.0 (https://example.org; ops@example.org)"')
    .optional(),
  /** Seconds between two requests to the same archive (one request at a time each). Default 1. */
  requestGapSeconds: z.number().min(0).max(60).default(1),
  /** Candidates per archive per scene. Default 8. */
  candidates: z.number().int().min(1).max(50).default(8),
  /** How much a picture may be enlarged to fill the frame (1.5: a 1080p video takes pictures from 720 px). Default 1.5. */
  maxUpscale: z.number().min(1).max(4).default(1.5),
  /** Retries of one request after 429 or 5xx, honouring Retry-After. */
  retry: retryPolicySchema,
});

export type ArchivesConfig = z.output<typeof archivesSchema>;

/** Both archives ask for a contact in the User-Agent: no `archive` provider without one. */
export function requireArchiveContact(ctx: { value: { providers: { image: readonly string[] }; archives: ArchivesConfig }; issues: unknown[] }): void {
  if (ctx.value.providers.image.includes('archive') && !ctx.value.archives.userAgent) {
    ctx.issues.push({
      code: 'custom',
      input: undefined,
      path: ['archives', 'userAgent'],
      message: 'is required when providers.image includes archive: Wikimedia and the Library of Congress ask for a User-Agent with a contact, e.g. "ChannelBot/1.0 (https://example.org; ops@example.org)"',
    });
  }
}
