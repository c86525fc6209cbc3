import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runFfmpeg } from '../../media/ffmpeg.js';
import { escapeFilterValue } from '../../media/subtitles.js';
import { FONT_SERIF, FONT_SERIF_BOLD } from '../../media/fonts.js';
import { hash, wrapText } from '../../text.js';
import type { ImageProvider, StillRequest } from '../types.js';

/**
 * Offline stills in the channel's archival look, drawn by ffmpeg: aged paper with blotches unique to
 * each scene, film grain, a plate border, the scene's caption and prompt, and a vignette.
 */
export function previewIllustrator(): ImageProvider {
  return {
    name: 'preview',
    async drawStill(req: StillRequest, signal: AbortSignal) {
      const { width: w, height: h } = req;
      const seed = hash(`${req.topic}#${req.position}`);
      const unit = Math.min(w, h) / 1080;
      const fx = Math.round((150 + (seed % 200)) * unit);
      const fy = Math.round((110 + ((seed >>> 8) % 170)) * unit);
      const phase = (seed % 628) / 100;
      const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'la-still-'));
      try {
        const captionFile = path.join(tmp, 'caption.txt');
        const promptFile = path.join(tmp, 'prompt.txt');
        const plateFile = path.join(tmp, 'plate.txt');
        const scale = unit;
        await fs.promises.writeFile(captionFile, wrapText(req.caption, Math.round((28 * w) / (1920 * scale))).join('\n'));
        await fs.promises.writeFile(promptFile, wrapText(req.prompt, Math.round((70 * w) / (1920 * scale))).slice(0, 4).join('\n'));
        await fs.promises.writeFile(plateFile, `ARCHIVE PLATE ${req.position} OF ${req.total}  ·  ${req.topic.toUpperCase()}`.slice(0, 90));
        // paper tone: r,g,b = base + blotches (two low-frequency waves) - darkening toward the edges
        const blotch = `(16*sin(X/${fx}+${phase}+1.5*sin(Y/${fy * 2}))*cos(Y/${fy}-${phase})+10*sin((X-0.6*Y)/${fx + fy}))`;
        const paper = `geq=r='clip(206+${blotch},0,255)':g='clip(183+0.9*${blotch},0,255)':b='clip(140+0.7*${blotch},0,255)'`;
        const text = (file: string, font: string, size: number, color: string, x: string, y: string) =>
          `drawtext=fontfile=${escapeFilterValue(font)}:textfile=${escapeFilterValue(file)}:expansion=none:` +
          `fontsize=${Math.round(size * scale)}:fontcolor=${color}:line_spacing=${Math.round(10 * scale)}:x=${x}:y=${y}`;
        const border = Math.round(40 * scale);
        const filter = [
          `[0:v]format=rgb24,${paper}`,
          `format=yuv444p,noise=c0s=16:c0f=u,format=rgb24`,
          `drawbox=x=${border}:y=${border}:w=iw-${2 * border}:h=ih-${2 * border}:color=0x3b2a1a@0.55:t=${Math.max(2, Math.round(4 * scale))}`,
          text(plateFile, FONT_SERIF, 30, "0x3b2a1a@0.8", "(w-text_w)/2", `${Math.round(150 * scale)}`),
          text(captionFile, FONT_SERIF_BOLD, 92, '0x2a1c10', '(w-text_w)/2', '(h-text_h)/2-h*0.08'),
          text(promptFile, FONT_SERIF, 34, '0x3b2a1a@0.85', '(w-text_w)/2', 'h*0.66'),
          `vignette=angle=PI/4.5`,
          `format=rgb24[out]`,
        ].join(',');
        await runFfmpeg(
          {
            inputs: [{ path: `color=c=0xcdb48a:s=${w}x${h}:d=1`, format: 'lavfi' }],
            filter,
            outputOptions: ['-map', '[out]', '-frames:v', '1', '-update', '1'],
            output: req.out,
          },
          { signal },
        );
      } finally {
        await fs.promises.rm(tmp, { recursive: true, force: true });
      }
    },
  };
}
