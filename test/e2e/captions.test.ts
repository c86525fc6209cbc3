import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import { SUBTITLE_FONT_FAMILY } from '../../src/media/fonts.js';
import { planRender } from '../../src/media/render.js';
import { toAss } from '../../src/media/subtitles.js';
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
      const captions = toAss(cues, { width, height, font: SUBTITLE_FONT_FAMILY, size: 0.045 });
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
