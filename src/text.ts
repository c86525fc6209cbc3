import LineBreaker from 'linebreak';
import stringWidth from 'string-width';

/** Splits narration into sentences with the language's own rules (Intl.Segmenter). */
export function splitSentences(text: string, language = 'en-US'): string[] {
  const seg = new Intl.Segmenter(language, { granularity: 'sentence' });
  return [...seg.segment(text.replace(/\s+/g, ' ').trim())].map((s) => s.segment.trim()).filter(Boolean);
}

/**
 * Columns the text takes on screen: a full-width (CJK) character counts two, combining marks none.
 * `ambiguousWide`: in CJK text, quotes and dashes of ambiguous width are set full-width too.
 */
export function displayWidth(text: string, ambiguousWide = false): number {
  return stringWidth(text, { ambiguousIsNarrow: !ambiguousWide });
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Characters as a reader counts them (grapheme clusters), spaces left out. */
export function charCount(text: string): number {
  let n = 0;
  for (const { segment } of graphemes.segment(text)) if (!/^\s+$/.test(segment)) n++;
  return n;
}

/** True when most of the text's width is full-width characters (Chinese, Japanese, Korean). */
export function isMostlyWide(text: string): boolean {
  const wide = [...graphemes.segment(text)].filter((g) => displayWidth(g.segment) === 2).length;
  return wide * 2 > displayWidth(text.replace(/\s+/g, '')) / 2;
}

/**
 * The pieces of text between the line-break opportunities of Unicode's line breaking algorithm (UAX #14):
 * spaces between words, between CJK characters, never before closing punctuation (、。」）!?) or after
 * opening punctuation. Each piece keeps its trailing spaces. A piece wider than `columns` (a German compound
 * on a narrow line) is cut by characters, with a hyphen where a word was cut.
 */
export function breakUnits(text: string, columns = Infinity, ambiguousWide = false): string[] {
  const clean = text.replace(/\s+/g, ' ').trim();
  const breaker = new LineBreaker(clean);
  const units: string[] = [];
  let last = 0;
  for (let bk = breaker.nextBreak(); bk; bk = breaker.nextBreak()) {
    units.push(...cutWide(clean.slice(last, bk.position), columns, ambiguousWide));
    last = bk.position;
  }
  return units.filter(Boolean);
}

function cutWide(unit: string, columns: number, ambiguousWide: boolean): string[] {
  const displayWidth = (t: string) => stringWidth(t, { ambiguousIsNarrow: !ambiguousWide });
  if (displayWidth(unit.trimEnd()) <= columns) return [unit];
  const letter = (g: string) => /\p{L}/u.test(g) && displayWidth(g) === 1;
  const pieces: string[] = [];
  let cur = '';
  let prev = '';
  for (const { segment } of graphemes.segment(unit.trimEnd())) {
    const hyphen = letter(prev) && letter(segment);
    if (cur && displayWidth(cur + segment) > columns - (hyphen ? 1 : 0)) {
      pieces.push(hyphen ? `${cur}-` : cur);
      cur = '';
    }
    cur += segment;
    prev = segment;
  }
  pieces.push(cur + unit.slice(unit.trimEnd().length));
  return pieces;
}

/** Wraps text into lines at most `columns` wide (display width), breaking only where UAX #14 allows. */
export function wrapText(text: string, columns: number): string[] {
  const wide = isMostlyWide(text);
  const lines: string[] = [];
  let cur: string[] = [];
  for (const unit of breakUnits(text, columns, wide)) {
    if (cur.length && displayWidth([...cur, unit].join('').trimEnd(), wide) > columns) {
      lines.push(cur.join('').trimEnd());
      cur = [];
    }
    cur.push(unit);
  }
  if (cur.length) lines.push(cur.join('').trimEnd());
  return lines;
}

/** A small stable hash (FNV-1a) for deterministic choices. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
