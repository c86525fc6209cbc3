/** Candidates from the archives, ranked by how well their words match the scene's; the fit to the frame. */

export interface Candidate {
  /** `commons` or `loc` */
  source: string;
  /** the record's page: what identifies the picture (never used twice in a story) */
  pageUrl: string;
  title: string;
  description: string;
  author: string | null;
  licence: string;
  licenceUrl: string | null;
  width: number;
  height: number;
  /** a small rendition, for the choice by the model */
  thumbUrl: string | null;
  /** the file itself, or null when the archive gives it on request (Commons: a rendition of the needed width) */
  fileUrl: string | null;
  /** search rank within its archive, from 0 */
  rank: number;
}

const STOP = new Set(['the', 'and', 'for', 'with', 'from', 'that', 'this', 'into', 'its', 'his', 'her', 'their', 'of', 'in', 'on', 'at', 'by', 'an', 'a', 'to', 'as', 'or', 'was', 'were', 'are', 'is', 'be']);

export function words(text: string): string[] {
  return [...new Set(text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(/[^a-z0-9]+/).filter((w) => w.length >= 3 && !STOP.has(w)))];
}

/** Share of the search words found in the candidate's title and description (0..1). */
export function relevance(terms: string, c: Pick<Candidate, 'title' | 'description'>): number {
  const wanted = words(terms);
  if (!wanted.length) return 0;
  const have = new Set(words(`${c.title} ${c.description}`));
  // a word matches its plural or a longer form too ("engraving" / "engravings")
  const found = wanted.filter((w) => have.has(w) || [...have].some((h) => h.startsWith(w) || w.startsWith(h) && h.length >= 4));
  return found.length / wanted.length;
}

/** Candidates with at least `min` of the words, best first: relevance, then the archive's own rank, then size. */
export function rank(terms: string, candidates: Candidate[], min = 0.5): Candidate[] {
  return candidates
    .map((c) => ({ c, r: relevance(terms, c) }))
    .filter((x) => x.r >= min)
    .sort((a, b) => b.r - a.r || a.c.rank - b.c.rank || b.c.width * b.c.height - a.c.width * a.c.height)
    .map((x) => x.c);
}

/** Below this share of the frame's shape a picture is shown whole; within it, cropped to fill (as src/media/plate.ts does). */
const CROP_TOLERANCE = 0.12;

/** How the render fits a w x h picture into the frame, and by how much it is enlarged (<1: reduced). */
export function fitOf(iw: number, ih: number, w: number, h: number): { whole: boolean; scale: number } {
  const whole = Math.abs(Math.log((iw / ih) * (h / w))) >= CROP_TOLERANCE;
  return { whole, scale: whole ? Math.min(w / iw, h / ih) : Math.max(w / iw, h / ih) };
}

/** What the credits say was done to the picture. */
export function modificationOf(iw: number, ih: number, w: number, h: number): string {
  const { whole, scale } = fitOf(iw, ih, w, h);
  const parts = [whole ? 'shown whole over a blurred, darkened copy of itself' : 'cropped to the frame (at most 12%)'];
  if (scale > 1.01) parts.push(`enlarged ${scale.toFixed(2)}x`);
  parts.push('slow zoom and pan');
  return parts.join('; ');
}
