import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cardText, drawCard } from '../../src/media/cards.js';
import { cardWords } from '../../src/providers/text/preview-texts.js';
import { builtinBedJob } from '../../src/media/music.js';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import { planRender } from '../../src/media/render.js';
import { runRenderPlan } from '../../src/media/run-render.js';
import { type Timeline, INTRO_SECONDS, OUTRO_SECONDS, buildTimeline } from '../../src/media/timeline.js';
import { parseWav, wavSeconds } from '../../src/media/wav.js';

/**
 * A short real render (title card, two narrated scenes, end card) through the render's own plan, and the
 * ways a render can come out broken, made from it with ffmpeg: what the render check must catch.
 */

export const SIZE = { width: 640, height: 360 };
const SCENES = [
  'The library stood by the harbour for three centuries. Scholars came from every shore of the sea to read there.',
  'Nobody knows when the last scroll burned. The stories disagree, and the ashes kept no records.',
];

const ffmpeg = (args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);

export async function renderShort(dir: string, opts: { music: boolean }): Promise<{ file: string; timeline: Timeline }> {
  const narrations = SCENES.map((text, i) => {
    const wav = path.join(dir, `narration-${i}.wav`);
    execFileSync('espeak-ng', ['-v', 'en-us', '-w', wav, text]);
    return wav;
  });
  const durations = narrations.map((f) => wavSeconds(parseWav(fs.readFileSync(f))));
  const timeline = buildTimeline(durations, { fps: 30, transition: 0.5, intro: INTRO_SECONDS, outro: OUTRO_SECONDS });
  const text = cardText('The Library of Alexandria', null, cardWords('en-US'));
  const [intro, outro] = [path.join(dir, 'intro.png'), path.join(dir, 'outro.png')];
  await drawCard(text.intro, SIZE.width, SIZE.height, 'en-US', intro);
  await drawCard(text.outro, SIZE.width, SIZE.height, 'en-US', outro);
  const stills = SCENES.map((_, i) => {
    const png = path.join(dir, `still-${i}.png`);
    ffmpeg(['-f', 'lavfi', '-i', `gradients=s=${SIZE.width}x${SIZE.height}:c0=0x8a6d3b:c1=0xe0c9a0:seed=${i + 1}`, '-frames:v', '1', png]);
    return png;
  });
  let music: string | null = null;
  if (opts.music) {
    music = path.join(dir, 'bed.wav');
    await runFfmpeg(builtinBedJob(music));
  }
  const file = path.join(dir, 'good.mp4');
  const workDir = fs.mkdtempSync(path.join(dir, 'work-'));
  const pictures = [intro, ...stills, outro];
  const plan = planRender({ pictures, narrations, music, timeline, ...SIZE, captions: null, seed: 'render-check', profile: 'youtube', preset: 'superfast', processes: 1, workDir, output: file });
  await runRenderPlan(plan, runFfmpeg);
  return { file, timeline };
}

export type Breakage = 'silent-stretch' | 'short-audio' | 'black-in-scene' | 'short-file';

/** The good render broken one way; `at` is a moment inside the first scene's narration. */
export function breakRender(good: string, kind: Breakage, out: string, timeline: Timeline): string {
  const scene = timeline.scenes[0];
  const a = (scene.narrationStart + 1).toFixed(2);
  const b = (scene.narrationStart + 4).toFixed(2);
  const aac = ['-c:a', 'aac', '-b:a', '384k'];
  if (kind === 'silent-stretch') ffmpeg(['-i', good, '-c:v', 'copy', '-af', `volume=0:enable='between(t,${a},${b})'`, ...aac, out]);
  if (kind === 'short-audio') ffmpeg(['-i', good, '-c:v', 'copy', '-af', `atrim=0:${(timeline.total / 2).toFixed(2)}`, ...aac, out]);
  if (kind === 'black-in-scene') ffmpeg(['-i', good, '-c:a', 'copy', '-vf', `drawbox=c=black:t=fill:enable='between(t,${a},${b})'`, '-c:v', 'libx264', '-preset', 'superfast', out]);
  if (kind === 'short-file') ffmpeg(['-i', good, '-c', 'copy', '-t', '5', out]);
  return out;
}
