/** Pure helpers of the Cloud TTS voice: request-sized pieces of narration and SSML with marks. */

/** Cloud TTS refuses requests whose text or SSML input is over 5000 bytes. */
export const MAX_REQUEST_BYTES = 5000;

/**
 * Cloud TTS also refuses a request holding one sentence that is too long for the voice ("This request
 * contains sentences that are too long"; a 312-character Spanish sentence was refused by es-ES-Neural2-F,
 * about 330 characters by others). Google publishes no figure, so sentences are kept well below it.
 */
export const MAX_SENTENCE_CHARS = 200;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const chars = (s: string) => Array.from(s).length;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** SSML speaking `texts` with a mark before each (`s<first+i>`) and one at the end (`end`). */
export function markedSsml(texts: string[], first = 0): string {
  return `<speak>${texts.map((t, i) => `<mark name="s${first + i}"/>${escapeXml(t)} `).join('')}<mark name="end"/></speak>`;
}

/** A piece of narration spoken as a unit: a whole sentence, or a clause of a long one. */
export interface Piece {
  text: string;
  /** index of the sentence it belongs to */
  sentence: number;
  /** the sentence goes on after this piece (so nothing may follow it in the same request) */
  cut: boolean;
}

// clause ends: , ; : and dashes (followed by a space), and the CJK comma, semicolon and colon
const CLAUSE = /(?<=[,;:—–]\s+|\s-\s+|[、，；：])/u;

/** Packs consecutive tokens (kept with their spacing) into pieces that pass `fits`. */
function pack(tokens: string[], fits: (s: string) => boolean): string[] {
  const out: string[] = [];
  let cur = '';
  for (const t of tokens) {
    if (cur && !fits((cur + t).trim())) {
      out.push(cur.trim());
      cur = '';
    }
    cur += t;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Cuts `text` at clauses, then at words, then anywhere (never inside a character) until every part fits. */
function cut(text: string, fits: (s: string) => boolean, language: string): string[] {
  if (fits(text)) return [text];
  const levels: ((s: string) => string[])[] = [
    (s) => s.split(CLAUSE),
    (s) => [...new Intl.Segmenter(language, { granularity: 'word' }).segment(s)].map((w) => w.segment),
    (s) => Array.from(s),
  ];
  let parts = [text];
  for (const split of levels) {
    parts = parts.flatMap((p) => (fits(p) ? [p] : pack(split(p), fits)));
    if (parts.every(fits)) break;
  }
  return parts;
}

/**
 * The narration as pieces that each fit one request on their own (`overhead` bytes of markup included)
 * and hold no sentence longer than MAX_SENTENCE_CHARS: sentences stay whole unless too long, in which
 * case they are cut at a clause, else at a word.
 */
export function narrationPieces(sentences: string[], overhead: (text: string) => number, language = 'en-US', max = MAX_REQUEST_BYTES): Piece[] {
  return sentences.flatMap((s, sentence) => {
    const room = Math.max(100, max - (overhead(s) - bytes(s)));
    const parts = cut(s, (p) => bytes(p) <= room && chars(p) <= MAX_SENTENCE_CHARS, language);
    return parts.map((text, i) => ({ text, sentence, cut: i < parts.length - 1 }));
  });
}

/**
 * Groups consecutive pieces into requests whose marked SSML stays within `max` bytes. A piece that
 * cuts a sentence ends its request: what followed it in the same input would be read as the same
 * (too long) sentence.
 */
export function ssmlChunks(pieces: Piece[], max = MAX_REQUEST_BYTES): { first: number; pieces: Piece[] }[] {
  const chunks: { first: number; pieces: Piece[] }[] = [];
  let cur: Piece[] = [];
  let first = 0;
  for (const [i, p] of pieces.entries()) {
    if (cur.length && (cur.at(-1)!.cut || Buffer.byteLength(markedSsml([...cur, p].map((x) => x.text), first)) > max)) {
      chunks.push({ first, pieces: cur });
      cur = [];
      first = i;
    }
    cur.push(p);
  }
  if (cur.length) chunks.push({ first, pieces: cur });
  return chunks;
}

/** Each sentence's start and end from its pieces' times (pieces in order, as `narrationPieces` made them). */
export function sentenceTimes(sentences: string[], pieces: Piece[], times: { start: number; end: number }[]): { text: string; start: number; end: number }[] {
  const out = sentences.map((text) => ({ text, start: Infinity, end: -Infinity }));
  for (const [i, p] of pieces.entries()) {
    const s = out[p.sentence];
    s.start = Math.min(s.start, times[i].start);
    s.end = Math.max(s.end, times[i].end);
  }
  return out;
}
