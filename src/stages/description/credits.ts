import type { StoredCredit } from '../../providers/types.js';

/** The "Picture credits" section of the description and the end card's line, from the credits ledger (pure). */

export const SOURCE_NAMES: Record<string, string> = { commons: 'Wikimedia Commons', loc: 'Library of Congress' };

const clip = (text: string, max: number) => (Array.from(text).length <= max ? text : `${Array.from(text).slice(0, max - 1).join('').trimEnd()}…`);

/** One picture's credit: title, author, licence (with its link), source and page. */
export function creditLine(c: Pick<StoredCredit, 'scene' | 'source' | 'page_url' | 'title' | 'author' | 'licence' | 'licence_url'>): string {
  const by = c.author ? ` by ${clip(c.author, 60)}` : '';
  const licence = c.licence_url ? `${c.licence} (${c.licence_url})` : c.licence;
  return `• Scene ${c.scene}: "${clip(c.title, 80)}"${by}. ${licence}. ${SOURCE_NAMES[c.source] ?? c.source}: ${c.page_url}`;
}

/**
 * The section, at most `budgetBytes` UTF-8 bytes with its leading blank line; empty when the story uses
 * no archival picture or nothing under the heading fits. Lines that do not fit are counted in a last line.
 */
export function creditsSection(credits: readonly StoredCredit[], budgetBytes: number): string {
  if (!credits.length) return '';
  const head = '\n\nPicture credits (fitted to the frame, with a slow zoom and pan):';
  const bytes = (s: string) => Buffer.byteLength(s);
  let out = head;
  if (bytes(out) > budgetBytes) return '';
  const tail = (n: number) => `\n… and ${n} more archival picture${n > 1 ? 's' : ''} (listed with the video's files)`;
  for (const [i, c] of credits.entries()) {
    const line = `\n${creditLine(c)}`;
    const after = credits.length - i - 1;
    if (bytes(out + line + (after ? tail(after) : '')) <= budgetBytes) {
      out += line;
      continue;
    }
    const counted = out + tail(credits.length - i);
    if (bytes(counted) <= budgetBytes) return counted;
    // a heading over nothing says nothing
    return out === head ? '' : out;
  }
  return out;
}

/** The end card's short line: the archives the pictures came from, and where the full credits are. */
export function endCardCredit(credits: readonly Pick<StoredCredit, 'source'>[]): string | null {
  if (!credits.length) return null;
  const counts = new Map<string, number>();
  for (const c of credits) counts.set(c.source, (counts.get(c.source) ?? 0) + 1);
  const from = [...counts].map(([s, n]) => `${SOURCE_NAMES[s] ?? s} (${n})`).join(', ');
  return `Archival pictures: ${from}. Full credits in the description.`;
}
