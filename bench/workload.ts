/**
 * The render benchmark's story: `scenes` scenes of SCENE_SECONDS narration each at 1920x1080 30 fps, with
 * title and end cards, a speech-like narration per scene, a subtitle every three seconds and the music bed.
 * Stills and narrations are drawn once and kept in the folder; a long video cycles through DISTINCT of each
 * (what it costs to render does not depend on whether two scenes share a still).
 */
import fs from 'node:fs';
import path from 'node:path';
import { cardText, drawCard } from '../src/media/cards.js';
import { buildCues } from '../src/media/cues.js';
import { runFfmpeg } from '../src/media/ffmpeg.js';
import { subtitleFont } from '../src/media/fonts.js';
import { builtinBedJob } from '../src/media/music.js';
import { toAss } from '../src/media/subtitles.js';
import { INTRO_SECONDS, OUTRO_SECONDS, type Timeline, buildTimeline } from '../src/media/timeline.js';
import { previewIllustrator } from '../src/providers/image/preview.js';
import { cardWords } from '../src/providers/text/preview-texts.js';

export const W = 1920;
export const H = 1080;
export const FPS = 30;
export const SCENE_SECONDS = Number(process.env.BENCH_SCENE_SECONDS ?? 14);
const DISTINCT = 24;

export interface Workload {
  timeline: Timeline;
  /** one picture per timeline segment */
  pictures: string[];
  narrations: string[];
  ass: string;
  music: string;
}

export async function workload(dir: string, scenes: number): Promise<Workload> {
  const durations = Array.from({ length: scenes }, () => SCENE_SECONDS);
  const timeline = buildTimeline(durations, { fps: FPS, transition: 0.5, intro: INTRO_SECONDS, outro: OUTRO_SECONDS });
  const illustrator = previewIllustrator();
  const signal = new AbortController().signal;
  const stills: string[] = [];
  const narrations: string[] = [];
  for (let i = 0; i < scenes; i++) {
    const k = i % DISTINCT;
    const still = path.join(dir, `still-${k}.png`);
    if (!fs.existsSync(still)) {
      await illustrator.drawStill({ prompt: `Benchmark still number ${k + 1}`, caption: `Scene ${k + 1}`, position: k + 1, total: DISTINCT, topic: 'Benchmark', language: 'en-US', width: W, height: H, out: still }, signal);
    }
    stills.push(still);
    const voice = path.join(dir, `voice-${SCENE_SECONDS}s-${k}.wav`);
    if (!fs.existsSync(voice)) {
      // a speech-like signal: a tone that swells and pauses every sentence
      await runFfmpeg({
        inputs: [{ path: `sine=f=${180 + k * 7}:d=${SCENE_SECONDS}:sample_rate=22050`, format: 'lavfi' }],
        filter: `[0:a]volume='0.4*gt(mod(t,3),0.4)':eval=frame[out]`,
        outputOptions: ['-map', '[out]', '-ac', '1'],
        output: voice,
      });
    }
    narrations.push(voice);
  }
  const timings = Array.from({ length: Math.floor(SCENE_SECONDS / 3) }, (_, k) => ({ text: `Sentence ${k + 1} of this scene, long enough to wrap onto a second line of subtitles.`, start: k * 3 + 0.4, end: k * 3 + 3 }));
  const ass = path.join(dir, `captions-${scenes}.ass`);
  fs.writeFileSync(ass, toAss(buildCues(durations.map(() => ({ timings })), timeline, { width: W, height: H }), { width: W, height: H, font: subtitleFont('en-US'), size: 0.045 }));
  const intro = path.join(dir, 'intro.png');
  const outro = path.join(dir, 'outro.png');
  const text = cardText('The Benchmark of Alexandria', 'Preview: benchmark workload.', cardWords('en-US'));
  if (!fs.existsSync(intro)) await drawCard(text.intro, W, H, 'en-US', intro);
  if (!fs.existsSync(outro)) await drawCard(text.outro, W, H, 'en-US', outro);
  const music = path.join(dir, 'bed.wav');
  if (!fs.existsSync(music)) await runFfmpeg(builtinBedJob(music));
  const pictures = timeline.segments.map((s) => (s.kind === 'scene' ? stills[s.index] : s.kind === 'intro' ? intro : outro));
  return { timeline, pictures, narrations, ass, music };
}
