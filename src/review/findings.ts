import { listCredits, stillOrigins } from '../db/credits.js';
import { getResearch } from '../db/research.js';
import type { Asset } from '../types.js';
import type { Services } from '../stages/types.js';
import { CONTACT_SHEET } from './contact-sheet.js';
import { type RepetitionWarning, checkRepetition } from './repetition.js';

/**
 * What the other checks found about a story, for `review` and GET /stories/{id}/review: the contact
 * sheet to look at, near-copies of earlier stories, the script's research (sources, unsupported claims),
 * and where the stills come from (archival pictures with their credits, generated ones).
 */
export interface Findings {
  /** the contact sheet PNG (one frame a scene and the thumbnail); null before the render */
  sheet: { location: string; bytes: number } | null;
  /** near-copies of earlier stories' scripts, stills and thumbnails */
  repetition: RepetitionWarning[];
  research: {
    /** search: grounded writing; operator: the operator's links; none: offline, no sources; null: nothing recorded */
    origin: string | null;
    sources: { position: number; url: string; title: string | null; citations: number }[];
    claims: { checked: number; unsupported: { text: string; scene: number | null }[] };
  };
  /** how many stills are archival and how many generated, and the archival ones' credits */
  pictures: { archival: number; generated: number; credits: { scene: number; source: string; title: string; author: string | null; licence: string; page_url: string }[] };
}

export async function findings(s: Pick<Services, 'db' | 'storage'>, storyId: string, assets: Asset[]): Promise<Findings> {
  const sheet = assets.find((a) => a.kind === CONTACT_SHEET.kind);
  const research = await getResearch(s.db, storyId);
  const repetition = await checkRepetition({ db: s.db, storage: s.storage }, storyId);
  const credits = await listCredits(s.db, storyId);
  return {
    sheet: sheet ? { location: sheet.url, bytes: sheet.bytes } : null,
    repetition: repetition.warnings,
    research: {
      origin: research.origin,
      sources: research.sources.map((r) => ({ position: r.position, url: r.url, title: r.title, citations: r.citations })),
      claims: {
        checked: research.claims.length,
        unsupported: research.claims.filter((c) => c.verdict === 'unsupported').map((c) => ({ text: c.text, scene: c.scene })),
      },
    },
    pictures: {
      ...(await stillOrigins(s.db, storyId)),
      credits: credits.map((c) => ({ scene: c.scene, source: c.source, title: c.title, author: c.author, licence: c.licence, page_url: c.page_url })),
    },
  };
}
