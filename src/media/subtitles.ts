import { type Cue, captionLayout } from './cues.js';
/** SRT and ASS from cues, and the ASS script as one picture per cue: pure functions, data in, text out. */

function clock(seconds: number, sep: ',' | '.', digits: 2 | 3): string {
  const unit = digits === 3 ? 1000 : 100;
  const total = Math.round(seconds * unit);
  const frac = total % unit;
  const s = Math.floor(total / unit);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const h = digits === 3 ? String(hh).padStart(2, '0') : String(hh);
  return `${h}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}${sep}${String(frac).padStart(digits, '0')}`;
}

export function toSrt(cues: Cue[]): string {
  return cues
    .map((c, i) => `${i + 1}\n${clock(c.start, ',', 3)} --> ${clock(c.end, ',', 3)}\n${c.lines.join('\n')}\n`)
    .join('\n');
}

/** Parses SRT back into cues (used to check what was delivered). */
export function parseSrt(text: string): Cue[] {
  const t = (s: string) => {
    const [h, m, rest] = s.split(':');
    const [sec, ms] = rest.split(',');
    return Number(h) * 3600 + Number(m) * 60 + Number(sec) + Number(ms) / 1000;
  };
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((block) => block.split('\n'))
    .filter((l) => l.length >= 3)
    .map(([, times, ...lines]) => {
      const [a, b] = times.split(' --> ');
      return { start: t(a.trim()), end: t(b.trim()), lines };
    });
}

/** Escapes text for an ASS Dialogue line: braces and backslashes would start override codes. */
export function escapeAss(text: string): string {
  return text.replace(/\\/g, '\\\u2060').replace(/\{/g, '\\{').replace(/\}/g, '\\}').replace(/\r?\n/g, ' ');
}

export interface AssStyle {
  width: number;
  height: number;
  font: string;
  /** font size as a fraction of the frame's short side */
  size: number;
}

export function toAss(cues: Cue[], style: AssStyle): string {
  const fontSize = Math.round(Math.min(style.width, style.height) * style.size);
  const { marginL, marginR, marginV } = captionLayout(style.width, style.height);
  const head = [
    '[Script Info]',
    'ScriptType: v4.00+',
    `PlayResX: ${style.width}`,
    `PlayResY: ${style.height}`,
    // the cues are already broken into lines by Unicode's rules; libass only breaks at spaces
    'WrapStyle: 2',
    'ScaledBorderAndShadow: yes',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    // Encoding -1: libass takes each line's direction from its text (an Arabic line ends on the left)
    `Style: Default,${style.font},${fontSize},&H00F2F2F2,&H000000FF,&H00101010,&H80000000,0,0,0,0,100,100,0,0,1,${Math.max(1, Math.round(fontSize / 14))},${Math.max(1, Math.round(fontSize / 20))},2,${marginL},${marginR},${marginV},-1`,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
  ];
  const events = cues.map(
    (c) => `Dialogue: 0,${clock(c.start, '.', 2)},${clock(c.end, '.', 2)},Default,,0,0,0,,${c.lines.map(escapeAss).join('\\N')}`,
  );
  return [...head, ...events, ''].join('\n');
}

/**
 * Escapes a value (a file path) for use as a filter option inside a -filter_complex graph: first for
 * the option parser (`\ ' :`), then for the graph parser (`\ ' [ ] , ;`).
 */
export function escapeFilterValue(value: string): string {
  const level1 = value.replace(/[\\':]/g, (c) => '\\' + c);
  return level1.replace(/[\\'[\],;]/g, (c) => '\\' + c);
}

/** Seconds from an ASS clock (`H:MM:SS.cc`). */
function assSeconds(clockText: string): number {
  const m = /^(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(clockText.trim());
  if (!m) throw new Error(`not an ASS time: ${clockText}`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

export interface CueSheet {
  /** the same script with cue i shown from second i to i + 1: one picture per cue at 1 fps */
  sheet: string;
  /** each cue's own time in the video, in the script's order */
  cues: { start: number; end: number }[];
  /** the rows of the frame that every cue's ink stays inside (top row, height; both even) */
  band: { y: number; height: number };
}

/**
 * An ASS script as one picture per cue. Burning subtitles in with libass on every frame blends each glyph's
 * fill, outline and shadow into the frame one by one (a tenth of the render's CPU); drawn once per cue on a
 * transparent band and laid over the frames it covers, the same pixels cost a small overlay. The band is
 * worked out from the style (bottom-aligned: margin, size, outline, shadow, the most lines of any cue), with
 * room to spare; any other alignment, or a script not in our shape, gets the whole frame.
 */
export function cueSheet(ass: string): CueSheet {
  const lines = ass.split(/\r?\n/);
  const field = (name: string) => {
    const line = lines.find((l) => l.startsWith(`${name}:`));
    return line ? line.slice(name.length + 1).trim() : undefined;
  };
  const width = Number(field('PlayResX'));
  const height = Number(field('PlayResY'));
  if (!(width > 0 && height > 0)) throw new Error('the subtitle script has no PlayResX/PlayResY');
  const cues: { start: number; end: number }[] = [];
  let mostLines = 1;
  let n = 0;
  const sheet = lines
    .map((line) => {
      if (!line.startsWith('Dialogue:')) return line;
      // Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text (the text may hold commas)
      const parts = line.slice('Dialogue:'.length).split(',');
      const text = parts.slice(9).join(',');
      cues.push({ start: assSeconds(parts[1]), end: assSeconds(parts[2]) });
      mostLines = Math.max(mostLines, text.split('\\N').length);
      const at = n++;
      return `Dialogue:${[parts[0], clock(at, '.', 2), clock(at + 1, '.', 2), ...parts.slice(3, 9), text].join(',')}`;
    })
    .join('\n');
  return { sheet, cues, band: inkBand(field('Style'), height, mostLines) };
}

function inkBand(style: string | undefined, height: number, mostLines: number): { y: number; height: number } {
  const whole = { y: 0, height };
  // Name, Fontname, Fontsize, …, Outline (16), Shadow (17), Alignment (18), MarginL, MarginR, MarginV (21), Encoding
  const f = style?.split(',') ?? [];
  const [size, outline, shadow, alignment, marginV] = [2, 16, 17, 18, 21].map((i) => Number(f[i]));
  if (f.length < 23 || ![size, outline, shadow, alignment, marginV].every(Number.isFinite) || ![1, 2, 3].includes(alignment)) return whole;
  // a line is at most about 1.25 font sizes tall (accents above, descenders below); outline and shadow on top
  const ink = Math.ceil(size * (1.25 * mostLines + 0.5) + 2 * outline + shadow);
  const bottom = Math.min(height, height - marginV + Math.ceil(size * 0.5 + outline + shadow));
  const top = Math.max(0, bottom - ink - Math.ceil(size * 0.5));
  const y = top - (top % 2);
  const h = Math.min(height - y, bottom - y + ((bottom - y) % 2));
  return { y, height: h - (h % 2) };
}
