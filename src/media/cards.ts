import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wrapText } from '../text.js';
import type { FfmpegJob, RunOptions } from './ffmpeg.js';
import { runFfmpeg } from './ffmpeg.js';
import { FONT_SERIF, FONT_SERIF_BOLD } from './fonts.js';
import { escapeFilterValue } from './subtitles.js';

/** Title and end cards: lines of text centred on a dark archival ground, drawn by ffmpeg into a PNG. */

export interface CardLine {
  text: string;
  /** font size as a fraction of the frame's short side */
  size: number;
  bold?: boolean;
  color?: string;
  /** at most this many lines; the rest is cut with an ellipsis */
  maxLines?: number;
}

/** One drawtext per line (each centred on its own); `paragraphEnd` adds space below. */
export function cardJob(lines: { file: string; size: number; bold?: boolean; color?: string; paragraphEnd: boolean }[], w: number, h: number, out: string): FfmpegJob {
  // sizes are fractions of the short side, so a vertical (Shorts) card keeps the same proportions
  const unit = Math.min(w, h);
  const gap = Math.round(unit * 0.03);
  const advance = lines.map((l, i) => Math.round(l.size * unit * 1.3) + (l.paragraphEnd && i < lines.length - 1 ? gap : 0));
  let y = Math.round((h - advance.reduce((a, b) => a + b, 0)) / 2);
  const draws = lines.map((l, i) => {
    const d =
      `drawtext=fontfile=${escapeFilterValue(l.bold ? FONT_SERIF_BOLD : FONT_SERIF)}:textfile=${escapeFilterValue(l.file)}:expansion=none:` +
      `fontsize=${Math.round(l.size * unit)}:fontcolor=${l.color ?? '0xe8d5a8'}:x=(w-text_w)/2:y=${y}`;
    y += advance[i];
    return d;
  });
  const rule = Math.round(w * 0.3);
  return {
    inputs: [{ path: `color=c=0x1c140d:s=${w}x${h}:d=1`, format: 'lavfi' }],
    filter: [
      '[0:v]noise=alls=10:allf=u',
      `drawbox=x=${Math.round((w - rule) / 2)}:y=${Math.round(h * 0.12)}:w=${rule}:h=2:color=0xb08d57@0.8:t=fill`,
      `drawbox=x=${Math.round((w - rule) / 2)}:y=${Math.round(h * 0.88)}:w=${rule}:h=2:color=0xb08d57@0.8:t=fill`,
      ...draws,
      'vignette=angle=PI/4',
      'format=rgb24[out]',
    ].join(','),
    outputOptions: ['-map', '[out]', '-frames:v', '1', '-update', '1'],
    output: out,
  };
}

/** Draws a card; each line is wrapped to the frame's width. */
export async function drawCard(lines: CardLine[], w: number, h: number, out: string, opts: RunOptions = {}): Promise<void> {
  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'la-card-'));
  try {
    const files = [];
    for (const l of lines) {
      let wrapped = wrapText(l.text, Math.max(12, Math.floor((w * 0.9) / (l.size * Math.min(w, h) * 0.62))));
      if (l.maxLines && wrapped.length > l.maxLines) wrapped = [...wrapped.slice(0, l.maxLines - 1), `${wrapped[l.maxLines - 1]} …`];
      for (const [k, text] of wrapped.entries()) {
        const file = path.join(tmp, `${files.length}.txt`);
        await fs.promises.writeFile(file, text);
        files.push({ file, size: l.size, bold: l.bold, color: l.color, paragraphEnd: k === wrapped.length - 1 });
      }
    }
    await runFfmpeg(cardJob(files, w, h, out), opts);
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * What the title and end cards say, in the story's language (`words`). `previewNote`: what in this video is a placeholder, said on the
 * end card (and flagged on the title card); null for a video made with real providers.
 */
export function cardText(topic: string, previewNote: string | null, words: { title: string; brand: string; preview: string; thanks: string }): { intro: CardLine[]; outro: CardLine[] } {
  const intro: CardLine[] = [
    { text: words.title, size: 0.035, color: '0xb08d57' },
    { text: topic, size: 0.085, bold: true, maxLines: 3 },
  ];
  const outro: CardLine[] = [{ text: words.brand, size: 0.07, bold: true }];
  if (previewNote) {
    intro.push({ text: words.preview, size: 0.032, color: '0xd9a05b' });
    outro.push({ text: previewNote, size: 0.034, color: '0xd9a05b' });
  } else {
    outro.push({ text: words.thanks, size: 0.04 });
  }
  return { intro, outro };
}
