import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import { subtitleFont } from '../../src/media/fonts.js';
import { buildCues, captionLayout } from '../../src/media/cues.js';
import { planRender } from '../../src/media/render.js';
import { runRenderPlan } from '../../src/media/run-render.js';
import { toAss } from '../../src/media/subtitles.js';
import { previewIllustrator } from '../../src/providers/image/preview.js';
import { buildTimeline } from '../../src/media/timeline.js';
import { tempDir } from '../helpers/services.js';

/**
 * The burned-in subtitles are drawn once per cue on a band of the frame, with real libass: everything libass
 * would draw on the whole frame must land inside that band, for the tallest and deepest text we can write.
 */

const tricky = [
  ['ÅÉÎ ÖÜ Ḯ ǺǼ — "Quotes": {braces} 100%', 'gjpqy ÇŞ ţ ½ ¶ | ▁▂ ⌊⌋ ∫ ∑'],
  ['Ελληνικά Ϋ́ Кириллица Й', 'עברית العربية ﷽'],
  ['One short line'],
];

/** Per cue, the sum of the alpha channel of a series of RGBA pictures (ffmpeg's cue-%d.png). */
function inkPerCue(dir: string, count: number): number[] {
  return Array.from({ length: count }, (_, i) => {
    const alpha = execFileSync('ffmpeg', ['-v', 'error', '-i', path.join(dir, `cue-${i}.png`), '-vf', 'alphaextract', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 64 << 20 });
    return alpha.reduce((n, v) => n + v, 0);
  });
}

describe('burned-in subtitles', () => {
  for (const [width, height] of [
    [1920, 1080],
    [1080, 1920],
  ]) {
    it(`keep all of libass's ink inside the band they are drawn on (${width}x${height})`, async () => {
      const cues = tricky.map((lines, i) => ({ start: 2 * i + 1, end: 2 * i + 2, lines }));
      const captions = toAss(cues, { width, height, font: subtitleFont('en-US'), size: 0.045 });
      const timeline = buildTimeline([1], { fps: 30, transition: 0.5, intro: 1, outro: 1 });
      const plan = (workDir: string) => planRender({ pictures: ['i.png', 's.png', 'o.png'], narrations: ['n.wav'], music: null, timeline, width, height, captions, seed: 'captions', profile: 'draft', preset: 'veryfast', processes: 1, workDir, output: 'o.mp4' });

      const banded = plan(tempDir('la-cues-'));
      const band = banded.captions!.job.filter!.match(/crop=(\d+):(\d+):0:(\d+)/)!.slice(1).map(Number);
      expect(band[1]).toBeLessThan(height / 3);
      // the same cues drawn on the whole frame, as the ass filter would draw them over the video
      const whole = plan(tempDir('la-cues-whole-'));
      whole.captions!.job.filter = whole.captions!.job.filter!.replace(/,crop=[^[]+/, '');
      for (const p of [banded, whole]) {
        fs.writeFileSync(p.captions!.sheet.path, p.captions!.sheet.content);
        await runFfmpeg(p.captions!.job);
      }
      const inBand = inkPerCue(path.dirname(banded.captions!.job.output), cues.length);
      const onFrame = inkPerCue(path.dirname(whole.captions!.job.output), cues.length);
      for (const ink of onFrame) expect(ink).toBeGreaterThan(0);
      expect(inBand).toEqual(onFrame);
    });
  }
});

/** The bounding box of the white subtitle fill in an RGB frame (the sepia stills never get that white). */
function whiteBox(rgb: Buffer, width: number) {
  const box = { left: Infinity, right: -1, top: Infinity, bottom: -1, pixels: 0 };
  for (let i = 0; i < rgb.length; i += 3) {
    if (rgb[i] < 225 || rgb[i + 1] < 225 || rgb[i + 2] < 225) continue;
    const [x, y] = [(i / 3) % width, Math.floor(i / 3 / width)];
    Object.assign(box, { left: Math.min(box.left, x), right: Math.max(box.right, x), top: Math.min(box.top, y), bottom: Math.max(box.bottom, y), pixels: box.pixels + 1 });
  }
  return box;
}

describe('captions in a rendered video', () => {
  const cases = [
    {
      name: 'Japanese, landscape',
      language: 'ja-JP',
      width: 960,
      height: 540,
      text: '多くの記録は失われましたが、残された手紙や帳簿から、当時の人々の声を聞くことができます。「歴史」とは、断片をつなぎ合わせる作業なのです。',
    },
    { name: 'English, Shorts', language: 'en-US', width: 540, height: 960, text: 'Archivists and historians still argue over what the surviving evidence about the fire really means.' },
  ];
  for (const c of cases) {
    it(`stay inside the frame${c.height > c.width ? ' and the Shorts safe area' : ''} (${c.name})`, async () => {
      const dir = tempDir('la-caption-frames-');
      const still = path.join(dir, 'still.png');
      await previewIllustrator().drawStill({ prompt: 'a still', caption: 'Scene 1', position: 1, total: 1, topic: 'captions', language: c.language, width: c.width, height: c.height, out: still }, new AbortController().signal);
      const voice = path.join(dir, 'voice.wav');
      await runFfmpeg({ inputs: [{ path: 'sine=f=200:d=8:sample_rate=22050', format: 'lavfi' }], outputOptions: ['-ac', '1'], output: voice });
      const timeline = buildTimeline([8], { fps: 30, transition: 0.5, intro: 1, outro: 1 });
      const cues = buildCues([{ timings: [{ text: c.text, start: 0, end: 8 }] }], timeline, c);
      expect(cues.length).toBeGreaterThan(1);
      const captions = toAss(cues, { width: c.width, height: c.height, font: subtitleFont(c.language), size: 0.045 });
      const pictures = timeline.segments.map((s) => (s.kind === 'scene' ? still : still));
      const out = path.join(dir, 'video.mp4');
      await runRenderPlan(planRender({ pictures, narrations: [voice], music: null, timeline, width: c.width, height: c.height, captions, seed: 'captions', profile: 'draft', preset: 'ultrafast', processes: 1, workDir: dir, output: out }), runFfmpeg);
      const layout = captionLayout(c.width, c.height);
      for (const [i, cue] of cues.entries()) {
        const png = path.join(dir, `frame-${i}.png`);
        execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', ((cue.start + cue.end) / 2).toFixed(3), '-i', out, '-frames:v', '1', png]);
        const rgb = execFileSync('ffmpeg', ['-v', 'error', '-i', png, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 64 << 20 });
        const box = whiteBox(rgb, c.width);
        expect(box.pixels, `${png}: the cue is drawn`).toBeGreaterThan(200);
        // inside the margins the style asks for, with a few pixels for the outline
        expect(box.left, png).toBeGreaterThanOrEqual(layout.marginL - 4);
        expect(box.right, png).toBeLessThanOrEqual(c.width - layout.marginR + 4);
        expect(box.bottom, png).toBeLessThanOrEqual(c.height - layout.marginV + 4);
        if (c.height > c.width) {
          expect(box.bottom, png).toBeLessThan(c.height * 0.75);
          expect(box.right, png).toBeLessThan(c.width * 0.88);
        }
      }
    });
  }
});
