/**
 * How much two scripts say in the same words: the Jaccard similarity of their sets of 3-word shingles
 * (every run of three consecutive words). Words are cut by Unicode's rules for the language (so a
 * Japanese or Chinese script, written without spaces, is cut into words too), case and punctuation
 * are ignored.
 */

export const SHINGLE_WORDS = 3;

export function words(text: string, language: string): string[] {
  const segmenter = new Intl.Segmenter(language, { granularity: 'word' });
  return [...segmenter.segment(text.normalize('NFKC').toLocaleLowerCase(language))].filter((s) => s.isWordLike).map((s) => s.segment);
}

export function shingles(text: string, language: string, k = SHINGLE_WORDS): Set<string> {
  const w = words(text, language);
  const out = new Set<string>();
  if (w.length && w.length < k) out.add(w.join(' '));
  for (let i = 0; i + k <= w.length; i++) out.add(w.slice(i, i + k).join(' '));
  return out;
}

/** |A ∩ B| / |A ∪ B|, 0 when both are empty. */
export function jaccard(a: Set<string>, b: Set<string>): number {
  if (!a.size && !b.size) return 0;
  let both = 0;
  for (const x of a) if (b.has(x)) both++;
  return both / (a.size + b.size - both);
}
