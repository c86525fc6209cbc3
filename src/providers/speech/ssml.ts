/** Pure helpers of the Cloud TTS voice: request-sized pieces of narration and SSML with marks. */

/** Cloud TTS refuses requests whose text or SSML input is over 5000 bytes. */
export const MAX_REQUEST_BYTES = 5000;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** SSML speaking `texts` with a mark before each (`s<first+i>`) and one at the end (`end`). */
export function markedSsml(texts: string[], first = 0): string {
  return `<speak>${texts.map((t, i) => `<mark name="s${first + i}"/>${escapeXml(t)} `).join('')}<mark name="end"/></speak>`;
}

/** Splits text longer than `max` bytes at clause punctuation, then at spaces, then anywhere (never inside a character). */
function splitText(text: string, max: number): string[] {
  if (bytes(text) <= max) return [text];
  for (const sep of [/(?<=[,;:—–])\s+/u, /\s+/u]) {
    const words = text.split(sep);
    if (words.length < 2) continue;
    const out: string[] = [];
    let cur = '';
    for (const w of words) {
      const next = cur ? `${cur} ${w}` : w;
      if (cur && bytes(next) > max) {
        out.push(cur);
        cur = w;
      } else cur = next;
    }
    if (cur) out.push(cur);
    if (out.every((p) => bytes(p) <= max)) return out;
    return out.flatMap((p) => splitText(p, max));
  }
  const chars = Array.from(text);
  const out: string[] = [];
  let cur = '';
  for (const c of chars) {
    if (bytes(cur + c) > max) {
      out.push(cur);
      cur = '';
    }
    cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * The narration as pieces that each fit one request on their own (`overhead` bytes of markup
 * included): sentences stay whole unless one alone is too long, which is cut at a clause or a word.
 */
export function fitSentences(sentences: string[], overhead: (text: string) => number, max = MAX_REQUEST_BYTES): string[] {
  return sentences.flatMap((s) => {
    const room = max - (overhead(s) - bytes(s));
    return splitText(s, Math.max(100, room));
  });
}

/** Groups consecutive pieces into requests whose marked SSML stays within `max` bytes. */
export function ssmlChunks(pieces: string[], max = MAX_REQUEST_BYTES): { first: number; texts: string[] }[] {
  const chunks: { first: number; texts: string[] }[] = [];
  let cur: string[] = [];
  let first = 0;
  for (const [i, p] of pieces.entries()) {
    if (cur.length && bytes(markedSsml([...cur, p], first)) > max) {
      chunks.push({ first, texts: cur });
      cur = [];
      first = i;
    }
    cur.push(p);
  }
  if (cur.length) chunks.push({ first, texts: cur });
  return chunks;
}
