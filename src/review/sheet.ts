import path from 'node:path';
import sharp from 'sharp';
import type { Media } from '../media/index.js';
import { type TextBlock, setText } from '../media/lettering.js';
import { formatTimestamp } from '../media/timeline.js';

/**
 * The contact sheet: the thumbnail and the story's title on top, then one tile a scene, each a frame of
 * the rendered video from the middle of the scene (what a viewer sees there: the still with its motion
 * and burnt-in subtitles), labelled with the scene's number, its time, and the start of its narration.
 * Labels are set by Pango (src/media/lettering.ts), so every language is drawn right.
 */

export interface SheetScene {
  position: number;
  /** when the scene's picture starts and ends in the video, seconds */
  start: number;
  end: number;
  /** the narration (or caption) the label begins with */
  caption: string;
}

export interface SheetLayout {
  tile: { width: number; height: number };
  gap: number;
  /** height of the label under each tile */
  label: number;
  columns: number;
  header: { left: number; top: number; width: number; height: number };
  width: number;
  height: number;
  /** where each scene's tile (the frame, without its label) is */
  tiles: { left: number; top: number }[];
}

export const BACKGROUND = { r: 24, g: 24, b: 24 };
const GAP = 12;
const LABEL = 62;

/** A tile: 320 pixels wide for a landscape video, 180 for a Short, in the video's shape. */
export function tileSize(video: { width: number; height: number }): { width: number; height: number } {
  const width = video.height > video.width ? 180 : 320;
  return { width, height: 2 * Math.round((width * video.height) / video.width / 2) };
}

/** Where everything goes (pure): 4 columns of tiles for a landscape video, 6 for a Short. */
export function sheetLayout(video: { width: number; height: number }, thumbnail: { width: number; height: number }, scenes: number): SheetLayout {
  const { width: tw, height: th } = tileSize(video);
  const columns = video.height > video.width ? 6 : 4;
  const width = columns * tw + (columns + 1) * GAP;
  const hw = 2 * tw + GAP;
  const hh = Math.round((hw * thumbnail.height) / thumbnail.width);
  const header = { left: GAP, top: GAP, width: hw, height: hh };
  const top0 = header.top + hh + GAP * 2;
  const tiles = Array.from({ length: scenes }, (_, i) => ({
    left: GAP + (i % columns) * (tw + GAP),
    top: top0 + Math.floor(i / columns) * (th + LABEL + GAP),
  }));
  const rows = Math.ceil(scenes / columns);
  return { tile: { width: tw, height: th }, gap: GAP, label: LABEL, columns, header, width, height: top0 + rows * (th + LABEL + GAP), tiles };
}

/** The moment a scene's frame is taken: its middle, away from the crossfades at both ends. */
export const frameTime = (s: SheetScene) => (s.start + s.end) / 2;

/** One PNG a scene, `size` pixels, from the video at each scene's middle. */
export async function grabFrames(media: Media, video: string, scenes: SheetScene[], size: { width: number; height: number }, dir: string, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  for (const s of scenes) {
    const file = path.join(dir, `frame-${String(s.position).padStart(2, '0')}.png`);
    await media.run(
      {
        inputs: [{ path: video, options: ['-ss', frameTime(s).toFixed(3)] }],
        filter: `[0:v]scale=${size.width}:${size.height}:force_original_aspect_ratio=increase,crop=${size.width}:${size.height},setsar=1[out]`,
        outputOptions: ['-map', '[out]', '-frames:v', '1', '-update', '1'],
        output: file,
      },
      { signal },
    );
    out.push(file);
  }
  return out;
}

async function label(text: string, language: string, px: number, width: number, color: string, bold = false, maxLines = 2): Promise<TextBlock | null> {
  return setText({ text, language, size: px, bold, color, width, maxLines });
}

/** Draws the sheet from the frames, the thumbnail and the labels; returns the PNG. */
export async function drawContactSheet(input: {
  video: { width: number; height: number };
  thumbnail: string;
  frames: string[];
  scenes: SheetScene[];
  title: string;
  /** total length of the video, seconds */
  total: number;
  language: string;
}): Promise<{ png: Buffer; layout: SheetLayout }> {
  const meta = await sharp(input.thumbnail).metadata();
  const layout = sheetLayout(input.video, { width: meta.width ?? 1280, height: meta.height ?? 720 }, input.scenes.length);
  const { tile, header } = layout;
  const layers: sharp.OverlayOptions[] = [];
  layers.push({ input: await sharp(input.thumbnail).resize(header.width, header.height, { fit: 'cover' }).toBuffer(), left: header.left, top: header.top });
  const side = layout.width - header.width - 3 * layout.gap;
  const title = await label(input.title, input.language, 26, side, '#f5e6c8', true, 3);
  const summary = await label(`${input.scenes.length} scenes · ${formatTimestamp(input.total)}`, 'en-US', 18, side, '#b8b8b8');
  let y = header.top + 8;
  for (const block of [title, summary]) {
    if (!block) continue;
    layers.push({ input: block.png, left: header.left + header.width + layout.gap + Math.max(0, Math.round((side - block.width) / 2)), top: y });
    y += block.height + 12;
  }
  for (const [i, s] of input.scenes.entries()) {
    const at = layout.tiles[i];
    layers.push({ input: await sharp(input.frames[i]).resize(tile.width, tile.height, { fit: 'cover' }).toBuffer(), left: at.left, top: at.top });
    const head = await label(`${s.position} · ${formatTimestamp(s.start)}–${formatTimestamp(s.end)}`, 'en-US', 15, tile.width, '#f0f0f0', true, 1);
    const caption = await label(s.caption, input.language, 13, tile.width - 4, '#c8c8c8', false, 2);
    let ly = at.top + tile.height + 4;
    for (const block of [head, caption]) {
      if (!block) continue;
      const h = Math.min(block.height, at.top + tile.height + layout.label - ly);
      if (h <= 0) break;
      const png = h < block.height ? await sharp(block.png).extract({ left: 0, top: 0, width: block.width, height: h }).toBuffer() : block.png;
      layers.push({ input: png, left: at.left + Math.max(0, Math.round((tile.width - block.width) / 2)), top: ly });
      ly += h + 3;
    }
  }
  const png = await sharp({ create: { width: layout.width, height: layout.height, channels: 3, background: BACKGROUND } })
    .composite(layers)
    .png()
    .toBuffer();
  return { png, layout };
}
