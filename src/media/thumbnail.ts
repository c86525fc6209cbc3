import fs from 'node:fs';
import type { FfmpegJob } from './ffmpeg.js';
import { type Placed, centred, setText, textLayer } from './lettering.js';

/** The thumbnail: the first still, cropped to fill, darkened at the bottom under the video's headline. */

export interface Size {
  width: number;
  height: number;
}

/** 1280x720, or 720x1280 for a vertical video (a Short). */
export function thumbnailSize(video: Size): Size {
  return video.height > video.width ? { width: 720, height: 1280 } : { width: 1280, height: 720 };
}

/** The headline, shaped in the story's language and centred in the dark band (two lines, three on a portrait one). */
export async function thumbnailText(headline: string, language: string, size: Size): Promise<Placed[]> {
  const portrait = size.height > size.width;
  const block = await setText({
    text: headline,
    language,
    size: Math.min(size.width, size.height) * 0.075,
    bold: true,
    color: '#f5e6c8',
    width: size.width * 0.9,
    maxLines: portrait ? 3 : 2,
  });
  return block ? [{ block, left: centred(size.width, block), top: Math.round(size.height * 0.85 - block.height / 2) }] : [];
}

/** Writes the headline's transparent layer, a PNG the size of the thumbnail. */
export async function writeHeadline(file: string, headline: string, language: string, size: Size): Promise<Placed[]> {
  const placed = await thumbnailText(headline, language, size);
  await fs.promises.writeFile(file, await textLayer(size.width, size.height, placed));
  return placed;
}

/** A JPEG of `size`: the still cropped to fill, the band darkened, the headline layer over it. */
export function buildThumbnailJob(still: string, headlineLayer: string, size: Size, output: string): FfmpegJob {
  const { width: w, height: h } = size;
  return {
    inputs: [{ path: still }, { path: headlineLayer }],
    filter:
      `[0:v]scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h},setsar=1,` +
      `drawbox=x=0:y=ih*0.70:w=iw:h=ih*0.30:color=black@0.55:t=fill[picture];[picture][1:v]overlay=0:0:format=rgb[out]`,
    outputOptions: ['-map', '[out]', '-frames:v', '1', '-q:v', '3', '-update', '1'],
    output,
  };
}
