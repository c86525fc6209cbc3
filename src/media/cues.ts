import { charCount, isMostlyWide } from '../text.js';
import type { SentenceTiming } from '../types.js';
import type { Timeline } from './timeline.js';
import { splitIntoCues } from './cue-lines.js';

/** Subtitle cues from the narration's sentence timings: pure functions, shared by the SRT and the burned ASS. */

export interface Cue {
  start: number;
  end: number;
  /** lines of text, at most two */
  lines: string[];
}

/** Readable captions: a cue is shown at least this long (where the silence after it allows), at most this long. */
export const MIN_CUE_SECONDS = 0.8;
export const MAX_CUE_SECONDS = 7;
/** a reader keeps up with about this many characters a second */
export const MAX_CHARS_PER_SECOND = 20;

export interface CaptionLayout {
  /** the widest line, in columns (a full-width character counts two) */
  columns: number;
  /** the same for text in Chinese or Japanese: fewer, for legibility of dense characters */
  wideColumns: number;
  marginL: number;
  marginR: number;
  /** from the bottom of the frame to the bottom of the last line */
  marginV: number;
}

/**
 * Where captions go in a frame. Vertical (Shorts) frames keep them inside YouTube's safe area: above the
 * title and channel overlay (the bottom quarter of the frame) and clear of the buttons on the right (about
 * 15% of the width), with shorter lines to match.
 */
export function captionLayout(width: number, height: number): CaptionLayout {
  if (height > width) {
    return { columns: 28, wideColumns: 28, marginL: Math.round(width * 0.06), marginR: Math.round(width * 0.15), marginV: Math.round(height * 0.28) };
  }
  const margin = Math.round(height * 0.06);
  return { columns: 42, wideColumns: 36, marginL: margin, marginR: margin, marginV: margin };
}

/**
 * Cues for every sentence, placed on the timeline. A sentence is split into cues of at most two lines; each
 * cue gets its share of the sentence's time by characters, so no words are shown before they are spoken. A
 * sentence's last cue stays up into the silence after it, up to the next cue, until it has been shown long
 * enough to read. Times are whole centiseconds (what ASS can say), so SRT and ASS show the same thing.
 */
export function buildCues(scenes: { timings: SentenceTiming[] }[], timeline: Timeline, frame = { width: 1920, height: 1080 }): Cue[] {
  const layout = captionLayout(frame.width, frame.height);
  const placed: { start: number; end: number; lines: string[]; chars: number; last: boolean }[] = [];
  scenes.forEach((scene, i) => {
    const offset = timeline.scenes[i].narrationStart;
    for (const t of scene.timings) {
      const start = offset + t.start;
      const span = Math.max(0, t.end - t.start);
      const columns = isMostlyWide(t.text) ? layout.wideColumns : layout.columns;
      const chunks = splitIntoCues(t.text, columns, Math.ceil(span / MAX_CUE_SECONDS));
      const counts = chunks.map((c) => charCount(c.join(' ')));
      const total = counts.reduce((a, b) => a + b, 0) || 1;
      let before = 0;
      chunks.forEach((lines, k) => {
        const at = start + (span * before) / total;
        before += counts[k];
        placed.push({ start: at, end: start + (span * before) / total, lines, chars: counts[k], last: k === chunks.length - 1 });
      });
    }
  });
  const starts = placed.map((c) => Math.ceil(c.start * 100 - 1e-6) / 100 + 0);
  return placed.map((c, k) => {
    const next = k + 1 < placed.length ? starts[k + 1] : Math.max(timeline.total, c.end);
    const wanted = c.last ? Math.max(c.end, c.start + Math.max(MIN_CUE_SECONDS, c.chars / MAX_CHARS_PER_SECOND)) : c.end;
    const end = Math.min(Math.round(Math.min(wanted, c.start + MAX_CUE_SECONDS) * 100) / 100, next);
    return { start: starts[k], end: Math.max(end, starts[k]), lines: c.lines };
  });
}
