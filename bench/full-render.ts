/** The render stage's render of a benchmark workload, measured (bench/render.ts, bench/long-form.ts). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { VideoProfile } from '../src/media/encoding.js';
import { runFfmpeg } from '../src/media/ffmpeg.js';
import { planRender } from '../src/media/render.js';
import { runRenderPlan } from '../src/media/run-render.js';
import { type Measured, folderBytes, measure } from './measure.js';
import { H, W, type Workload } from './workload.js';

export const PRESET = 'veryfast';
/** as the render stage's default: one ffmpeg per core, at most 4 */
export const PROCESSES = Math.min(4, os.availableParallelism());

/** Renders `w` into `out` with its work folder under `dir`: measured, with what the render left in its folder (then removed). */
export async function fullRender(dir: string, w: Workload, out: string): Promise<Measured & { leftMiB: number }> {
  const profile = (process.env.BENCH_PROFILE ?? 'youtube') as VideoProfile;
  const workDir = fs.mkdtempSync(path.join(dir, 'work-'));
  try {
    const plan = planRender({ pictures: w.pictures, narrations: w.narrations, music: w.music, timeline: w.timeline, width: W, height: H, captions: fs.readFileSync(w.ass, 'utf8'), seed: 'benchmark', profile, preset: PRESET, processes: PROCESSES, workDir, output: out });
    const m = await measure(() => runRenderPlan(plan, runFfmpeg), workDir);
    return { ...m, leftMiB: folderBytes(workDir) / 2 ** 20 };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
