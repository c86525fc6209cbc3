import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cardText, drawCard } from '../../src/media/cards.js';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import { scriptFonts, subtitleFont } from '../../src/media/fonts.js';
import type { Placed } from '../../src/media/lettering.js';
import { escapeFilterValue, toAss } from '../../src/media/subtitles.js';
import { buildThumbnailJob, thumbnailSize, writeHeadline } from '../../src/media/thumbnail.js';
import { previewIllustrator, stillText } from '../../src/providers/image/preview.js';
import { fontFile, hbGlyphs, hbView, inkOf, lightBox, similarity } from '../helpers/ink.js';
import { tempDir } from '../helpers/services.js';

/**
 * Cards, stills and thumbnails in every script a story may be told in: the ink drawn where the text was
 * placed must match HarfBuzz's own shaping of the same string in the language's font (hb-view), and must
 * not match the same string drawn without shaping (one glyph per code point), which is what broken
 * Devanagari looks like. The font must have a glyph for every code point (no .notdef box).
 */

const SAMPLES: Record<string, string> = {
  'en-US': 'The Lost Library',
  'de-DE': 'Größe & Fall',
  'hi-IN': 'क्षत्रिय कि खोज',
  'ja-JP': '失われた記録',
  'zh-CN': '失落的档案',
  'ar-SA': 'مكتبة الإسكندرية',
};
// pictures can be unlike the unshaped reference only where shaping changes something
const SHAPED = new Set(['hi-IN', 'ar-SA']);
const dir = tempDir('text');

/** How well the ink in a placed block matches hb-view's shaped (and unshaped) rendering of the sample. */
async function score(picture: string, placed: Placed, text: 'dark' | 'light', language: string, size: number) {
  const font = fontFile(scriptFonts(language).serif, true);
  const region = { left: placed.left - 3, top: placed.top - 3, width: placed.block.width + 6, height: placed.block.height + 6 };
  const ink = await inkOf(picture, text, region);
  const reference = await inkOf(hbView(SAMPLES[language], font, size), 'dark');
  const unshaped = await inkOf(hbView(SAMPLES[language], font, size, 'fallback'), 'dark');
  return { shaped: similarity(ink, reference), unshaped: similarity(ink, unshaped), glyphs: hbGlyphs(SAMPLES[language], font) };
}

function expectShaped(language: string, s: { shaped: number; unshaped: number; glyphs: number[] }) {
  expect(s.glyphs).not.toContain(0);
  expect(s.shaped, `${language}: ink against HarfBuzz's shaping`).toBeGreaterThan(0.65);
  if (SHAPED.has(language)) expect(s.unshaped, `${language}: ink against unshaped glyphs`).toBeLessThan(s.shaped - 0.2);
}

// landscape, and the Shorts shape at a third of 1080x1920 (every language) and at full size (Devanagari)
describe.each([
  [640, 360, Object.keys(SAMPLES)],
  [360, 640, Object.keys(SAMPLES)],
  [1080, 1920, ['hi-IN']],
])('text shaped by HarfBuzz at %ix%i', (w, h, languages) => {
  const unit = Math.min(w, h);
  it.each(languages)('on the title card in %s', async (language) => {
    const out = path.join(dir, `card-${language}-${w}.png`);
    const placed = await drawCard(cardText(SAMPLES[language], null).intro, w, h, language, out);
    expectShaped(language, await score(out, placed[1], 'light', language, 0.085 * unit));
  });

  it.each(languages)('on a preview still and the thumbnail in %s', async (language) => {
    const req = { prompt: 'a reading room', caption: SAMPLES[language], position: 1, total: 3, topic: 'T', language, width: w, height: h, out: path.join(dir, `still-${language}-${w}.png`) };
    await previewIllustrator().drawStill(req, AbortSignal.timeout(30_000));
    expectShaped(language, await score(req.out, (await stillText(req))[1], 'dark', language, 92 * (unit / 1080)));

    const size = thumbnailSize({ width: w, height: h });
    const layer = path.join(dir, `headline-${language}-${w}.png`);
    const thumbnail = path.join(dir, `thumbnail-${language}-${w}.jpg`);
    const [headline] = await writeHeadline(layer, SAMPLES[language], language, size);
    await runFfmpeg(buildThumbnailJob(req.out, layer, size, thumbnail));
    expectShaped(language, await score(thumbnail, headline, 'light', language, 0.075 * Math.min(size.width, size.height)));
    expect(await sharp(thumbnail).metadata()).toMatchObject(h > w ? { width: 720, height: 1280 } : { width: 1280, height: 720 });
    expect(await borderDip(req.out), 'a line along the still\'s edge').toBeLessThan(6);
    expect(await borderDip(thumbnail), 'a line along the thumbnail\'s edge').toBeLessThan(6);
  });
});

describe('burned subtitles', () => {
  it.each(['hi-IN', 'ar-SA', 'ja-JP'])('are shaped by libass in the language’s font in %s', async (language) => {
    const ass = path.join(dir, `${language}.ass`);
    fs.writeFileSync(ass, toAss([{ start: 0, end: 2, lines: [SAMPLES[language]] }], { width: 960, height: 540, font: subtitleFont(language), size: 0.16 }));
    const out = path.join(dir, `subtitle-${language}.png`);
    // the filter the render burns captions with (src/media/render.ts), on black so only the letters are light
    await runFfmpeg({ inputs: [{ path: 'color=c=black:s=960x540:d=1', format: 'lavfi' }], filter: `[0:v]ass=filename=${escapeFilterValue(ass)}[out]`, outputOptions: ['-map', '[out]', '-frames:v', '1', '-update', '1'], output: out });
    const font = fontFile(subtitleFont(language));
    const ink = await inkOf(out, 'light', await lightBox(out, 200));
    const shaped = similarity(ink, await inkOf(hbView(SAMPLES[language], font, 64), 'dark'));
    const unshaped = similarity(ink, await inkOf(hbView(SAMPLES[language], font, 64, 'fallback'), 'dark'));
    expectShaped(language, { shaped, unshaped, glyphs: hbGlyphs(SAMPLES[language], font) });
  });
});

/**
 * The deepest dip of a row or column mean below both its neighbours, within 8% of each edge: a border line
 * drawn on the still (or cut from it by a crop) is such a dip; the vignette's smooth darkening is not.
 */
async function borderDip(picture: string): Promise<number> {
  const { data, info } = await sharp(picture).greyscale().raw().toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = info;
  const mean = (n: number, at: (i: number) => number) => Array.from({ length: n }, (_, i) => at(i)).reduce((a, b) => a + b, 0) / n;
  const cols = Array.from({ length: w }, (_, x) => mean(h, (y) => data[y * w + x]));
  const rows = Array.from({ length: h }, (_, y) => mean(w, (x) => data[y * w + x]));
  let dip = 0;
  for (const line of [cols, rows]) {
    const edge = Math.round(line.length * 0.08);
    for (const i of [...Array(edge).keys()].slice(1).flatMap((k) => [k, line.length - 1 - k])) {
      dip = Math.max(dip, Math.min(line[i - 1], line[i + 1]) - line[i]);
    }
  }
  return dip;
}
