import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMedia } from '../../src/media/index.js';
import { BACKGROUND, type SheetScene, drawContactSheet, grabFrames, sheetLayout, tileSize } from '../../src/review/sheet.js';
import { tempDir } from '../helpers/services.js';

/** The sheet from a made-up video whose scenes are solid colours: each tile must show its own scene. */

const COLOURS = ['c03020', '20a040', '2040c0', 'c0a020', '8020a0', '20a0a0'];
const SECONDS = 1.5;

function rgb(hex: string) {
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

/** Mean colour of a rectangle of a raw RGB image. */
function mean(raw: Buffer, width: number, box: { left: number; top: number; width: number; height: number }): number[] {
  const sum = [0, 0, 0];
  for (let y = box.top; y < box.top + box.height; y++) {
    for (let x = box.left; x < box.left + box.width; x++) for (let c = 0; c < 3; c++) sum[c] += raw[(y * width + x) * 3 + c];
  }
  return sum.map((v) => v / (box.width * box.height));
}

describe('the contact sheet', () => {
  const dir = tempDir('la-desk-sheet-');
  const video = path.join(dir, 'video.mp4');
  const thumbnail = path.join(dir, 'thumbnail.jpg');
  const scenes: SheetScene[] = COLOURS.map((_, i) => ({
    position: i + 1,
    start: i * SECONDS,
    end: (i + 1) * SECONDS,
    caption: ['In 1908 an archaeologist found a clay disc in the palace of Phaistos, stamped on both sides.', 'Das Rätsel bleibt ungelöst.', '古代の円盤は今も解読されていない。', '', 'Short.', 'The end.'][i],
  }));

  beforeAll(() => {
    const inputs = COLOURS.flatMap((c) => ['-f', 'lavfi', '-i', `color=c=0x${c}:s=640x360:r=30:d=${SECONDS}`]);
    const concat = COLOURS.map((_, i) => `[${i}:v]`).join('') + `concat=n=${COLOURS.length}:v=1:a=0[out]`;
    execFileSync('ffmpeg', ['-v', 'error', ...inputs, '-filter_complex', concat, '-map', '[out]', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', video]);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=white:s=1280x720', '-frames:v', '1', '-y', thumbnail]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lays out 4 columns of 320x180 tiles for a landscape video and 6 of 180x320 for a Short', () => {
    const l = sheetLayout({ width: 1920, height: 1080 }, { width: 1280, height: 720 }, 6);
    expect(l.tile).toEqual({ width: 320, height: 180 });
    expect(l.width).toBe(4 * 320 + 5 * 12);
    expect(l.tiles).toHaveLength(6);
    expect(l.tiles[4]).toEqual({ left: 12, top: l.tiles[0].top + 180 + l.label + 12 });
    expect(l.height).toBe(l.tiles[4].top + 180 + l.label + 12);
    expect(tileSize({ width: 1080, height: 1920 })).toEqual({ width: 180, height: 320 });
    expect(sheetLayout({ width: 1080, height: 1920 }, { width: 720, height: 1280 }, 7).columns).toBe(6);
  });

  it('has one tile a scene showing that scene, the thumbnail on top, and lettering under each tile', async () => {
    const tile = tileSize({ width: 640, height: 360 });
    const frames = await grabFrames(buildMedia(), video, scenes, tile, dir);
    const { png, layout } = await drawContactSheet({ video: { width: 640, height: 360 }, thumbnail, frames, scenes, title: 'The Phaistos Disc', total: 9, language: 'en-US' });
    fs.writeFileSync(path.join(dir, 'sheet.png'), png);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([layout.width, layout.height]);
    expect(layout.tiles).toHaveLength(COLOURS.length);
    const inset = (b: { left: number; top: number }) => ({ left: b.left + 20, top: b.top + 20, width: tile.width - 40, height: tile.height - 40 });
    layout.tiles.forEach((t, i) => {
      const got = mean(data, info.width, inset(t));
      rgb(COLOURS[i]).forEach((v, c) => expect(Math.abs(got[c] - v), `tile ${i + 1} channel ${c}`).toBeLessThan(12));
      // the label under the tile: light lettering on the dark ground
      const under = { left: t.left, top: t.top + tile.height + 2, width: tile.width, height: layout.label - 4 };
      let light = 0;
      for (let y = under.top; y < under.top + under.height; y++) for (let x = under.left; x < under.left + under.width; x++) if (data[(y * info.width + x) * 3] > 150) light++;
      expect(light, `label of tile ${i + 1}`).toBeGreaterThan(80);
    });
    // the gap between tiles is the ground; the thumbnail (white) is at the top left
    const gap = mean(data, info.width, { left: layout.tiles[0].left + tile.width + 2, top: layout.tiles[0].top + 10, width: 8, height: tile.height - 20 });
    expect(gap).toEqual([BACKGROUND.r, BACKGROUND.g, BACKGROUND.b]);
    const h = layout.header;
    expect(Math.min(...mean(data, info.width, { left: h.left + 10, top: h.top + 10, width: h.width - 20, height: h.height - 20 }))).toBeGreaterThan(245);
  });
});
