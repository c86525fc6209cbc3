import sharp from 'sharp';
import { fontFamilies, requireFonts } from './fonts.js';

/**
 * Text drawn by Pango (through sharp's libvips): HarfBuzz shapes every script (Devanagari conjuncts and
 * vowel signs, joined Arabic), the bidi algorithm orders right-to-left runs, fontconfig falls back per
 * character along the language's family list, and lines wrap at the width by Unicode's rules (between
 * characters in CJK). The text is passed as escaped markup, never as a command line or filter string.
 */

export interface TextSpec {
  text: string;
  /** the story's language: picks the fonts, and Pango's language for CJK glyph forms and line breaks */
  language: string;
  /** font size in pixels */
  size: number;
  bold?: boolean;
  /** `#rrggbb` */
  color: string;
  /** 0..1 (default 1) */
  opacity?: number;
  /** lines wrap to this many pixels */
  width: number;
  /** at most this many lines; the rest is cut at a word with an ellipsis */
  maxLines?: number;
}

/** A transparent PNG of centred lines, as wide as the widest line. */
export interface TextBlock {
  png: Buffer;
  width: number;
  height: number;
  lines: number;
}

export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function draw(spec: TextSpec, text: string, wrap: boolean): Promise<Omit<TextBlock, 'lines'>> {
  const alpha = Math.round((spec.opacity ?? 1) * 100);
  const markup = `<span lang="${escapeMarkup(spec.language)}" foreground="${spec.color}" fgalpha="${alpha}%">${escapeMarkup(text)}</span>`;
  // the trailing comma ends the family list, so a family's last word is never read as a style
  const font = `${fontFamilies(spec.language, 'serif').join(',')}, ${spec.bold ? 'Bold ' : ''}${Math.round(spec.size)}`;
  const { data, info } = await sharp({
    text: { text: markup, font, ...(wrap ? { width: Math.round(spec.width), wrap: 'word-char' } : {}), align: 'centre', dpi: 72, rgba: true },
  })
    .png()
    .toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height };
}

/** Shapes and wraps one text; null when it is blank. */
export async function setText(spec: TextSpec): Promise<TextBlock | null> {
  const text = spec.text.replace(/\s+/g, ' ').trim();
  if (!text) return null;
  await requireFonts(spec.language);
  // sharp crops to the ink, so lines are counted from the line pitch: how much a second line adds
  const oneLine = (await draw(spec, text, false)).height;
  const pitch = (await draw(spec, `${text}\n${text}`, false)).height - oneLine;
  const measure = async (t: string) => {
    const block = await draw(spec, t, true);
    return { ...block, lines: 1 + Math.max(0, Math.round((block.height - oneLine) / pitch)) };
  };
  const full = await measure(text);
  if (!spec.maxLines || full.lines <= spec.maxLines) return full;
  // the longest run of whole words that fits with its ellipsis (a binary search over word ends)
  const ends = [...new Intl.Segmenter(spec.language, { granularity: 'word' }).segment(text)].map((s) => s.index + s.segment.length);
  const cut = (n: number) => `${text.slice(0, ends[n]).trimEnd()}${/\s/.test(text) ? ' ' : ''}…`;
  let [lo, hi, best] = [0, ends.length - 1, await measure(cut(0))];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const tried = await measure(cut(mid));
    if (tried.lines <= spec.maxLines) [lo, best] = [mid, tried];
    else hi = mid - 1;
  }
  return best;
}

export interface Placed {
  block: TextBlock;
  left: number;
  top: number;
}

/** Blocks placed on a transparent frame-sized PNG, to lay over a picture. */
export async function textLayer(width: number, height: number, placed: Placed[]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite(placed.map((p) => ({ input: p.block.png, left: Math.round(p.left), top: Math.round(p.top) })))
    .png()
    .toBuffer();
}

/** Left edge that centres a block across a frame. */
export const centred = (frame: number, block: TextBlock) => Math.round((frame - block.width) / 2);
