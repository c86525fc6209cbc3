import { breakUnits, displayWidth as columnsOf, isMostlyWide } from '../text.js';

const words = new Intl.Segmenter(undefined, { granularity: 'word' });

/**
 * One sentence as cues of at most two lines, each at most `columns` wide: the fewest cues that fit (and at
 * least `minCues`, so a long sentence is not one long cue), their lengths balanced so no cue is a single
 * word, each cue's two lines balanced too, breaking only where Unicode's line breaking rules allow.
 */
export function splitIntoCues(text: string, columns: number, minCues = 1): string[][] {
  const wide = isMostlyWide(text);
  const displayWidth = (t: string) => columnsOf(t, wide);
  const units = breakUnits(text, columns, wide);
  const m = units.length;
  if (!m) return [];
  // a break between CJK characters is allowed anywhere, but reads better between words (ICU's dictionary)
  const joined = units.join('');
  const wordStarts = new Set([...words.segment(joined)].map((w) => w.index));
  let at = 0;
  const splitsWord = units.map((u) => !wordStarts.has((at += u.length)) && !wordStarts.has(at - u.length + u.trimEnd().length) && at < joined.length);
  // where the text has spaces (Japanese written in kana with spaces between phrases), break at them
  const spaced = units.some((u) => /\s$/.test(u));
  const breakCost = units.map((u, j) => (splitsWord[j] ? 0.3 : 0) + (spaced && !/\s$/.test(u) ? 0.3 : 0));
  // a break after a comma or a full stop reads better
  const afterStop = units.map((u) => (/[,.;:!?、。，；：]\s*$/.test(u) ? 0 : 0.15));
  // widths add up unit by unit; a line does not show its trailing space
  const prefix = [0];
  for (const u of units) prefix.push(prefix[prefix.length - 1] + displayWidth(u));
  const trail = units.map((u) => displayWidth(u) - displayWidth(u.trimEnd()));
  const width = (a: number, b: number) => prefix[b] - prefix[a] - trail[b - 1];

  const layouts = new Map<number, { cost: number; split: number }>();
  /** the best way to set units [a, b) as one cue: one line, or two balanced lines split at `split` */
  const layout = (a: number, b: number) => {
    const key = a * (m + 1) + b;
    let best = layouts.get(key);
    if (best) return best;
    best = { cost: Infinity, split: b };
    if (width(a, b) <= columns) best = { cost: 0, split: b };
    else if (prefix[b] - prefix[a] <= 2 * columns + 2) {
      for (let j = a + 1; j < b; j++) {
        const top = width(a, j);
        const bottom = width(j, b);
        if (top > columns || bottom > columns) continue;
        // balanced lines read best
        const cost = ((top - bottom) / columns) ** 2 + afterStop[j - 1] + breakCost[j - 1];
        if (cost < best.cost) best = { cost, split: j };
      }
    }
    layouts.set(key, best);
    return best;
  };

  // the fewest cues that can hold the text, then the cheapest way to set it as that many (or minCues)
  const fewest = new Array<number>(m + 1).fill(Infinity);
  fewest[0] = 0;
  for (let i = 1; i <= m; i++) {
    for (let j = i - 1; j >= 0 && prefix[i] - prefix[j] <= 2 * columns + 2; j--) {
      if (fewest[j] + 1 < fewest[i] && layout(j, i).cost < Infinity) fewest[i] = fewest[j] + 1;
    }
  }
  const total = width(0, m);
  const n = Math.min(m, Math.max(minCues, fewest[m]));
  const target = total / n;
  // cost[k][i]: the best way to set units [0, i) as k cues; from[k][i] where the k-th cue starts
  const cost = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(Infinity));
  const from = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  cost[0][0] = 0;
  for (let k = 1; k <= n; k++) {
    for (let i = k; i <= m; i++) {
      for (let j = i - 1; j >= k - 1; j--) {
        if (prefix[i] - prefix[j] > 2 * columns + 2) break;
        if (cost[k - 1][j] === Infinity) continue;
        const lone = n > 1 && i - j === 1 ? 10 : 0;
        const c = cost[k - 1][j] + (j > 0 ? breakCost[j - 1] : 0) + layout(j, i).cost + 4 * ((width(j, i) - target) / columns) ** 2 + lone;
        if (c < cost[k][i]) {
          cost[k][i] = c;
          from[k][i] = j;
        }
      }
    }
  }
  const cues: string[][] = [];
  for (let k = n, i = m; k > 0; i = from[k][i], k--) {
    const j = from[k][i];
    const { split } = layout(j, i);
    const lines = [units.slice(j, split), units.slice(split, i)].filter((l) => l.length).map((l) => l.join('').trim());
    cues.unshift(lines);
  }
  return cues;
}
