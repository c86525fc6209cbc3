import { describe, expect, it } from 'vitest';
import { MAX_CHARS_PER_SECOND, buildCues, captionLayout, type Cue } from '../../src/media/cues.js';
import { parseSrt, toAss, toSrt } from '../../src/media/subtitles.js';
import { buildTimeline } from '../../src/media/timeline.js';
import { breakUnits, charCount, displayWidth, isMostlyWide } from '../../src/text.js';

/** Every rule a reader would notice, checked on every cue of a corpus of sentences in many scripts. */

const CORPUS: Record<string, { rate: number; sentences: string[] }> = {
  'long English': {
    rate: 15,
    sentences: [
      'Archivists and historians still argue over what the surviving evidence about the Great Fire of London really means, and some of them suspect that the most important letters were burned on purpose, so that nobody could ever read between the lines.',
      'Every record has a beginning, and the first traces of the expedition are older than most people think.',
      'The earliest accounts were written by people who never imagined that anyone would read them centuries later.',
    ],
  },
  'short English': { rate: 12, sentences: ['Then something changed.', 'Yes.', 'Fire.', 'Nobody knows why.'] },
  Japanese: {
    rate: 7,
    sentences: [
      'これはオフラインで作られたプレビューの台本です。',
      '多くの記録は失われましたが、残された手紙や帳簿から、当時の人々の声を聞くことができます。「歴史」とは、断片をつなぎ合わせる作業なのです。',
      'それでも、物語をつなぎ合わせるのに十分なものが残っています。',
    ],
  },
  Chinese: { rate: 5, sentences: ['这是一个离线生成的预览脚本，我们的主题是“伦敦大火”。', '有些故事只以碎片的形式留存下来，需要我们读懂字里行间的含义。'] },
  'mixed Latin and CJK': { rate: 8, sentences: ['1666年のGreat Fire of Londonでは、St Paul’s Cathedralを含む多くの建物（約13,200軒）が焼けました。'] },
  German: {
    rate: 13,
    sentences: [
      'Die Donaudampfschifffahrtsgesellschaftskapitänsmützenherstellerinnung wurde im Jahr 1829 in Wien gegründet.',
      'Jede Überlieferung hat einen Anfang, und die ersten Spuren der Geschichtswissenschaftlerinnen sind älter als gedacht.',
    ],
  },
  Hindi: { rate: 11, sentences: ['यह कहानी टुकड़ों में बची है, और यह हमसे पंक्तियों के बीच पढ़ने को कहती है।', 'फिर कुछ बदल गया।'] },
};

/** Synthetic narration: each sentence timed by the language's speaking rate, a short pause between. */
function timed(sentences: string[], rate: number) {
  let at = 0.2;
  return sentences.map((text) => {
    const t = { text, start: at, end: at + Math.max(0.3, charCount(text) / rate) };
    at = t.end + 0.35;
    return t;
  });
}

const bare = (s: string) => s.replace(/[\s-]/g, '');
const CLOSING = /^[、。，．,.!?！？」』）)\]}：；:;·・ー]/u;
const OPENING = /[「『（(\[{“‘]$/u;

function checkRules(name: string, scenes: { timings: { text: string; start: number; end: number }[] }[], frame: { width: number; height: number }) {
  const timeline = buildTimeline(scenes.map((s) => s.timings[s.timings.length - 1].end), { fps: 30, transition: 0.5, lead: 0.4, tail: 0.6 });
  const cues = buildCues(scenes, timeline, frame);
  const layout = captionLayout(frame.width, frame.height);
  let k = 0;
  scenes.forEach((scene, i) => {
    for (const t of scene.timings) {
      const start = timeline.scenes[i].narrationStart + t.start;
      const span = t.end - t.start;
      const columns = isMostlyWide(t.text) ? layout.wideColumns : layout.columns;
      // the cues of this sentence: their text, read in order, is the sentence
      const own: Cue[] = [];
      while (bare(own.flatMap((c) => c.lines).join('')) !== bare(t.text)) {
        expect(k, `${name}: cues for "${t.text}"`).toBeLessThan(cues.length);
        own.push(cues[k++]);
      }
      const chars = own.map((c) => charCount(c.lines.join('')));
      const total = chars.reduce((a, b) => a + b, 0);
      let before = 0;
      own.forEach((c, j) => {
        const label = `${name}: ${JSON.stringify(c)}`;
        expect(c.lines.length, label).toBeLessThanOrEqual(2);
        for (const line of c.lines) {
          expect(displayWidth(line, isMostlyWide(t.text)), label).toBeLessThanOrEqual(columns);
          expect(line, label).not.toMatch(CLOSING);
          expect(line, label).not.toMatch(OPENING);
        }
        // not before its words: never ahead of its share of the sentence's time
        expect(c.start, label).toBeGreaterThanOrEqual(start + (span * before) / total - 1e-9);
        before += chars[j];
        const shown = c.end - c.start;
        expect(shown, label).toBeLessThanOrEqual(7 + 1e-9);
        const next = cues[cues.indexOf(c) + 1];
        if (next) expect(c.end, label).toBeLessThanOrEqual(next.start + 1e-9);
        // long enough to read, where the silence before the next cue allows
        const room = next ? next.start - c.start : Infinity;
        expect(shown, label).toBeGreaterThanOrEqual(Math.min(0.8, room) - 0.011);
        if (room > chars[j] / MAX_CHARS_PER_SECOND + 0.01) expect(chars[j] / shown, label).toBeLessThanOrEqual(MAX_CHARS_PER_SECOND + 0.5);
        // no cue of a single word or a couple of characters when the sentence has several
        if (own.length > 1) expect(isMostlyWide(t.text) ? chars[j] >= 4 : c.lines.join(' ').trim().includes(' '), label).toBe(true);
      });
    }
  });
  expect(k).toBe(cues.length);
  return { cues, timeline };
}

describe('captions', () => {
  for (const frame of [
    { width: 1920, height: 1080 },
    { width: 1080, height: 1920 },
  ]) {
    for (const [name, { rate, sentences }] of Object.entries(CORPUS)) {
      it(`keep every reading rule for ${name} (${frame.width}x${frame.height})`, () => {
        const { cues } = checkRules(name, [{ timings: timed(sentences, rate) }, { timings: timed(sentences.slice(0, 1), rate) }], frame);
        // the same cues in the SRT and in the burned ASS
        const srt = parseSrt(toSrt(cues));
        const ass = toAss(cues, { ...frame, font: 'Noto Sans', size: 0.045 })
          .split('\n')
          .filter((l) => l.startsWith('Dialogue:'))
          .map((l) => {
            const p = l.split(',');
            const s = (c: string) => c.split(':').reduce((n, x) => n * 60 + Number(x), 0);
            return { start: s(p[1]), end: s(p[2]), lines: p.slice(9).join(',').split('\\N') };
          });
        expect(ass.map((c) => c.lines)).toEqual(srt.map((c) => c.lines));
        ass.forEach((c, i) => {
          expect(c.start).toBeCloseTo(srt[i].start, 6);
          expect(c.end).toBeCloseTo(srt[i].end, 6);
        });
      });
    }
  }

  it('never leaves a long sentence up for half a minute, nor a one-word cue at its end', () => {
    const ja = CORPUS.Japanese.sentences[1];
    const { cues } = checkRules('slow Japanese', [{ timings: [{ text: ja, start: 0, end: 33.5 }] }], { width: 1920, height: 1080 });
    expect(cues.length).toBeGreaterThanOrEqual(5);
    const en = CORPUS['long English'].sentences[0];
    const { cues: enCues } = checkRules('English', [{ timings: [{ text: en, start: 0, end: 16 }] }], { width: 1920, height: 1080 });
    expect(enCues[enCues.length - 1].lines.join(' ')).not.toBe('lines.');
  });

  it('holds a fast short sentence for 0.8 s in the pause after it, but not into the next sentence', () => {
    const timeline = buildTimeline([3], { fps: 30, transition: 0.5, lead: 0, tail: 0.6 });
    const cues = buildCues([{ timings: [{ text: 'Yes.', start: 0, end: 0.3 }, { text: 'No.', start: 1.5, end: 1.7 }, { text: 'Then fire.', start: 1.9, end: 3 }] }], timeline);
    expect(cues.map((c) => [c.start, c.end])).toEqual([[0, 0.8], [1.5, 1.9], [1.9, 3]]);
  });

  it('places Shorts captions inside YouTube’s safe area: above the bottom overlay, clear of the buttons', () => {
    const style = toAss([{ start: 0, end: 1, lines: ['x'] }], { width: 1080, height: 1920, font: 'Noto Sans', size: 0.045 })
      .split('\n')
      .find((l) => l.startsWith('Style:'))!
      .split(',');
    const [marginL, marginR, marginV] = style.slice(19, 22).map(Number);
    expect(marginV).toBeGreaterThanOrEqual(1920 * 0.25);
    expect(marginR).toBeGreaterThanOrEqual(1080 * 0.12);
    expect(marginL).toBeGreaterThan(0);
  });
});

/** Greedy lines over the break opportunities the cues use (UAX #14 pieces), at most `columns` wide. */
function wrapText(text: string, columns: number): string[] {
  const wide = isMostlyWide(text);
  const lines: string[] = [];
  let cur = '';
  for (const unit of breakUnits(text, columns, wide)) {
    if (cur && displayWidth((cur + unit).trimEnd(), wide) > columns) {
      lines.push(cur.trimEnd());
      cur = '';
    }
    cur += unit;
  }
  if (cur) lines.push(cur.trimEnd());
  return lines;
}

describe('line breaking', () => {
  it('breaks CJK between characters by display width, never before closing punctuation', () => {
    const lines = wrapText('多くの記録は失われましたが、残された手紙や帳簿から、当時の人々の声を聞くことができます。', 20);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) {
      expect(displayWidth(l)).toBeLessThanOrEqual(20);
      expect(l).not.toMatch(CLOSING);
    }
    expect(wrapText('The quick brown fox jumps over the lazy dog', 16)).toEqual(['The quick brown', 'fox jumps over', 'the lazy dog']);
    expect(wrapText('Donaudampfschifffahrtsgesellschaft', 16)).toEqual(['Donaudampfschif-', 'ffahrtsgesellsc-', 'haft']);
  });
});
