import fs from 'node:fs';
import path from 'node:path';
import { listScenes } from '../db/stories.js';
import { type Timeline, sceneTimeline } from '../media/timeline.js';
import { storeAsset } from '../storage/assets.js';
import { keys } from '../storage/types.js';
import type { Services } from '../stages/types.js';
import type { Scene, Story } from '../types.js';
import { type SheetScene, drawContactSheet, grabFrames, tileSize } from './sheet.js';
import { makeTempDir } from '../scratch.js';

/** The contact sheet as a stored asset: written by the render stage, remade on demand (`review ID --sheet`). */

export const CONTACT_SHEET = { kind: 'contact_sheet', file: 'contact-sheet.png', contentType: 'image/png' } as const;

export type SheetDeps = Pick<Services, 'config' | 'db' | 'storage' | 'media'> & { signal?: AbortSignal };

/** Each scene's span in the video and the start of what is said in it. */
export function sheetScenes(scenes: Scene[], timeline: Timeline): SheetScene[] {
  return timeline.scenes.map((t, i) => ({
    position: scenes[i].position,
    start: t.start,
    end: t.end,
    caption: scenes[i].sentence_timings?.[0]?.text ?? scenes[i].text_content,
  }));
}

/** Draws the sheet from a video and thumbnail on disk and stores it as the story's `contact_sheet` asset. */
export async function writeContactSheet(deps: SheetDeps, story: Story, files: { video: string; thumbnail: string }, scenes?: Scene[]): Promise<{ key: string; png: Buffer }> {
  const list = scenes ?? (await listScenes(deps.db, story.id));
  const timeline = sceneTimeline(list, deps.config.video);
  const tmp = await makeTempDir('la-sheet-');
  try {
    const sheetScenesList = sheetScenes(list, timeline);
    const frames = await grabFrames(deps.media, files.video, sheetScenesList, tileSize(deps.config.video), tmp, deps.signal);
    const { png } = await drawContactSheet({
      video: deps.config.video,
      thumbnail: files.thumbnail,
      frames,
      scenes: sheetScenesList,
      title: story.metadata?.title ?? story.topic,
      total: timeline.total,
      language: story.language,
    });
    await storeAsset(deps, story.id, { ...CONTACT_SHEET, source: png });
    return { key: keys.story(story.id, CONTACT_SHEET.file), png };
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}
