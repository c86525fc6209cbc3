import fs from 'node:fs';
import path from 'node:path';
import type { FfmpegJob, RunOptions } from './ffmpeg.js';
import { runFfmpeg } from './ffmpeg.js';
import { type Placed, centred, setText, textLayer } from './lettering.js';
import { makeTempDir } from '../scratch.js';

/** Title and end cards: lines of text centred on a dark archival ground; ffmpeg draws the ground, Pango the text. */

export interface CardLine {
  text: string;
  /** font size as a fraction of the frame's short side */
  size: number;
  bold?: boolean;
  /** `#rrggbb` */
  color?: string;
  /** at most this many lines; the rest is cut with an ellipsis */
  maxLines?: number;
}

/** The card's text, shaped, wrapped to 90% of the width and stacked around the middle. */
export async function layoutCard(lines: CardLine[], w: number, h: number, language: string): Promise<Placed[]> {
  // sizes are fractions of the short side, so a vertical (Shorts) card keeps the same proportions
  const unit = Math.min(w, h);
  const gap = Math.round(unit * 0.03);
  const blocks = [];
  for (const l of lines) {
    const block = await setText({ text: l.text, language, size: l.size * unit, bold: l.bold, color: l.color ?? '#e8d5a8', width: w * 0.9, maxLines: l.maxLines });
    if (block) blocks.push(block);
  }
  let top = Math.round((h - blocks.reduce((sum, b) => sum + b.height, 0) - gap * (blocks.length - 1)) / 2);
  return blocks.map((block) => {
    const placed = { block, left: centred(w, block), top };
    top += block.height + gap;
    return placed;
  });
}

/** The ground (grain, two rules, vignette) with the text layer laid over it before the vignette. */
export function cardJob(layer: string, w: number, h: number, out: string): FfmpegJob {
  const rule = Math.round(w * 0.3);
  return {
    inputs: [{ path: `color=c=0x1c140d:s=${w}x${h}:d=1`, format: 'lavfi' }, { path: layer }],
    filter: [
      '[0:v]noise=alls=10:allf=u',
      `drawbox=x=${Math.round((w - rule) / 2)}:y=${Math.round(h * 0.12)}:w=${rule}:h=2:color=0xb08d57@0.8:t=fill`,
      `drawbox=x=${Math.round((w - rule) / 2)}:y=${Math.round(h * 0.88)}:w=${rule}:h=2:color=0xb08d57@0.8:t=fill[ground]`,
      '[ground][1:v]overlay=0:0:format=rgb',
      'vignette=angle=PI/4',
      'format=rgb24[out]',
    ].join(','),
    outputOptions: ['-map', '[out]', '-frames:v', '1', '-update', '1'],
    output: out,
  };
}

/** Draws a card into a PNG; returns where each text block went (tests read the ink there). */
export async function drawCard(lines: CardLine[], w: number, h: number, language: string, out: string, opts: RunOptions = {}): Promise<Placed[]> {
  const placed = await layoutCard(lines, w, h, language);
  const tmp = await makeTempDir('la-card-');
  try {
    const layer = path.join(tmp, 'text.png');
    await fs.promises.writeFile(layer, await textLayer(w, h, placed));
    await runFfmpeg(cardJob(layer, w, h, out), opts);
    return placed;
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * What the title and end cards say, in the story's language (`words`). `previewNote`: what in this video is a placeholder, said on the
 * end card (and flagged on the title card); null for a video made with real providers.
 */
export function cardText(
  topic: string,
  previewNote: string | null,
  words: { title: string; brand: string; preview: string; thanks: string },
  /** a short picture credit for the end card (archival pictures), or null */
  credit: string | null = null,
): { intro: CardLine[]; outro: CardLine[] } {
  const intro: CardLine[] = [
    { text: words.title, size: 0.035, color: '#b08d57' },
    { text: topic, size: 0.085, bold: true, maxLines: 3 },
  ];
  const outro: CardLine[] = [{ text: words.brand, size: 0.07, bold: true }];
  if (previewNote) {
    intro.push({ text: words.preview, size: 0.032, color: '#d9a05b' });
    outro.push({ text: previewNote, size: 0.034, color: '#d9a05b' });
  } else {
    outro.push({ text: words.thanks, size: 0.04 });
  }
  if (credit) outro.push({ text: credit, size: 0.026, color: '#b08d57', maxLines: 3 });
  return { intro, outro };
}
