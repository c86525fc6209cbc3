/** Splits narration into sentences with the language's own rules (Intl.Segmenter). */
export function splitSentences(text: string, language = 'en-US'): string[] {
  const seg = new Intl.Segmenter(language, { granularity: 'sentence' });
  return [...seg.segment(text.replace(/\s+/g, ' ').trim())].map((s) => s.segment.trim()).filter(Boolean);
}

/** Wraps text into lines of at most `max` characters, at word boundaries. */
export function wrapText(text: string, max: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (cur && (cur + ' ' + w).length > max) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
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
