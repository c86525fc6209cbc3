import fs from 'node:fs';
import path from 'node:path';
import { runFfmpeg } from '../../media/ffmpeg.js';
import { type Placed, centred, setText, textLayer } from '../../media/lettering.js';
import { hash } from '../../text.js';
import type { ImageProvider, StillOutcome, StillRequest } from '../types.js';
import { makeTempDir } from '../../scratch.js';

/**
 * Offline stills in the channel's archival look, drawn by ffmpeg: aged paper with blotches unique to
 * each scene, film grain, the plate's label, the scene's caption and prompt (shaped by Pango in the
 * story's language), and a vignette.
 */
export function previewIllustrator(): ImageProvider {
  return {
    name: 'preview',
    async drawStill(req: StillRequest, signal: AbortSignal): Promise<StillOutcome> {
      const { width: w, height: h } = req;
      const seed = hash(`${req.topic}#${req.position}`);
      const unit = Math.min(w, h) / 1080;
      const fx = Math.round((150 + (seed % 200)) * unit);
      const fy = Math.round((110 + ((seed >>> 8) % 170)) * unit);
      const phase = (seed % 628) / 100;
      const placed = await stillText(req);
      const tmp = await makeTempDir('la-still-');
      try {
        const layer = path.join(tmp, 'text.png');
        await fs.promises.writeFile(layer, await textLayer(w, h, placed));
        // paper tone: r,g,b = base + blotches (two low-frequency waves) - darkening toward the edges
        const blotch = `(16*sin(X/${fx}+${phase}+1.5*sin(Y/${fy * 2}))*cos(Y/${fy}-${phase})+10*sin((X-0.6*Y)/${fx + fy}))`;
        const paper = `geq=r='clip(206+${blotch},0,255)':g='clip(183+0.9*${blotch},0,255)':b='clip(140+0.7*${blotch},0,255)'`;
        // no drawn border: a pan, a zoom or a thumbnail's crop would cut it into stray lines
        const filter = [
          `[0:v]format=rgb24,${paper}`,
          `format=yuv444p,noise=c0s=16:c0f=u,format=rgb24[paper]`,
          `[paper][1:v]overlay=0:0:format=rgb`,
          `vignette=angle=PI/4.5`,
          `format=rgb24[out]`,
        ].join(',');
        await runFfmpeg(
          {
            inputs: [{ path: `color=c=0xcdb48a:s=${w}x${h}:d=1`, format: 'lavfi' }, { path: layer }],
            filter,
            outputOptions: ['-map', '[out]', '-frames:v', '1', '-update', '1'],
            output: req.out,
          },
          { signal },
        );
      } finally {
        await fs.promises.rm(tmp, { recursive: true, force: true });
      }
      return { kind: 'drawn' };
    },
  };
}

/** The plate's label, the caption and the prompt, shaped and placed on the still (tests read the ink there). */
export async function stillText(req: StillRequest): Promise<Placed[]> {
  const { width: w, height: h } = req;
  const unit = Math.min(w, h) / 1080;
  const [plate, caption, prompt] = await Promise.all([
    setText({ text: `ARCHIVE PLATE ${req.position} OF ${req.total}  ·  ${req.topic.toLocaleUpperCase(req.language)}`, language: req.language, size: 30 * unit, color: '#3b2a1a', opacity: 0.8, width: w * 0.84, maxLines: 1 }),
    setText({ text: req.caption, language: req.language, size: 92 * unit, bold: true, color: '#2a1c10', width: w * 0.84, maxLines: 3 }),
    setText({ text: req.prompt, language: req.language, size: 34 * unit, color: '#3b2a1a', opacity: 0.85, width: w * 0.84, maxLines: 4 }),
  ]);
  const placed: Placed[] = [];
  if (plate) placed.push({ block: plate, left: centred(w, plate), top: Math.round(150 * unit) });
  if (caption) placed.push({ block: caption, left: centred(w, caption), top: Math.round((h - caption.height) / 2 - h * 0.08) });
  if (prompt) placed.push({ block: prompt, left: centred(w, prompt), top: Math.round(h * 0.66) });
  return placed;
}
