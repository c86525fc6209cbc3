import LineBreaker from 'linebreak';
import { eastAsianWidth } from 'get-east-asian-width';

/** Splits narration into sentences with the language's own rules (Intl.Segmenter). */
export function splitSentences(text: string, language = 'en-US'): string[] {
  const seg = new Intl.Segmenter(language, { granularity: 'sentence' });
  return [...seg.segment(text.replace(/\s+/g, ' ').trim())].map((s) => s.segment.trim()).filter(Boolean);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** combining marks (Devanagari vowel signs, accents), joiners and variation selectors take no column */
const NO_WIDTH = /[\p{M}\p{Cf}\p{Cc}]/u;

/**
 * Columns the text takes on screen by Unicode's East Asian Width: a full-width (CJK) character counts two,
 * combining marks none. `ambiguousWide`: in CJK text, quotes and dashes of ambiguous width are set
 * full-width too. Per code point, not per grapheme: cue layout measures many short pieces.
 */
export function displayWidth(text: string, ambiguousWide = false): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x7f) n += cp >= 0x20 ? 1 : 0;
    else if (!NO_WIDTH.test(ch)) n += eastAsianWidth(cp, { ambiguousAsWide: ambiguousWide });
  }
  return n;
}

/** Characters as a reader counts them (combining marks belong to their letter), spaces left out. */
export function charCount(text: string): number {
  let n = 0;
  for (const ch of text) if (!/\s/.test(ch) && !NO_WIDTH.test(ch)) n++;
  return n;
}

/** True when most of the text's width is full-width characters (Chinese, Japanese, Korean). */
export function isMostlyWide(text: string): boolean {
  let wide = 0;
  for (const ch of text) if (ch.codePointAt(0)! > 0x7f && displayWidth(ch) === 2) wide += 2;
  return wide > displayWidth(text.replace(/\s+/g, '')) / 2;
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
  const width = (t: string) => displayWidth(t, ambiguousWide);
  if (width(unit.trimEnd()) <= columns) return [unit];
  const letter = (g: string) => /\p{L}/u.test(g) && width(g) === 1;
  const pieces: string[] = [];
  let cur = '';
  let prev = '';
  for (const { segment } of graphemes.segment(unit.trimEnd())) {
    const hyphen = letter(prev) && letter(segment);
    if (cur && width(cur + segment) > columns - (hyphen ? 1 : 0)) {
      pieces.push(hyphen ? `${cur}-` : cur);
      cur = '';
    }
    cur += segment;
    prev = segment;
  }
  pieces.push(cur + unit.slice(unit.trimEnd().length));
  return pieces;
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
