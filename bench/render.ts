/**
 * Render benchmark (`npm run bench:render`; `npm run bench` adds `--minutes 30,60`): a 20-scene, 5-minute
 * story at 1920x1080 30 fps rendered the way the render stage does it (cards, the sub-pixel Ken Burns move,
 * crossfades, burned subtitles, ducked music, two-pass loudness, YouTube's encoding settings), against the
 * references in bench/references.ts, all measured in one run. The full render and the floors are measured
 * BENCH_RUNS times each (default 2) in turns, and the best of each compared: a shared machine's speed drifts
 * within minutes. With `--minutes 30,60` it then renders 120- and 240-scene documentaries (bench/long-form.ts);
 * with `--workers 1,2` it measures a render spread over worker processes instead (bench/render-workers.ts).
 * BENCH_SCENES (default 20) and BENCH_SCENE_SECONDS (default 14) shrink it for a quick look.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type VideoProfile, videoEncoding } from '../src/media/encoding.js';
import { runFfmpeg } from '../src/media/ffmpeg.js';
import { DEFAULT_AUDIO_KBPS, audioEncoding } from '../src/media/soundtrack.js';
import { longForm } from './long-form.js';
import { PRESET, PROCESSES, fullRender } from './full-render.js';
import { type Measured, best, measure, verdict } from './measure.js';
import { contentFloorJob, decodeJobs, naiveJob, panFloorJob, stillFloorJob } from './references.js';
import { renderWorkersBench } from './render-workers.js';
import { FPS, H, W, workload } from './workload.js';

const PROFILE = (process.env.BENCH_PROFILE ?? 'youtube') as VideoProfile;
const VIDEO = videoEncoding(PROFILE, PRESET, W, H, FPS);
const SCENES = Number(process.env.BENCH_SCENES ?? 20);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 2));

const videoMbps = (file: string) => Number(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=bit_rate', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim()) / 1e6;

async function main(minutes: number[]) {
  const dir = path.join(os.tmpdir(), 'lost-archives-bench-render');
  fs.mkdirSync(dir, { recursive: true });
  console.log(`render benchmark: ${SCENES} scenes, ${W}x${H} ${FPS} fps, preset ${PRESET}, profile ${PROFILE}, ${PROCESSES} render processes, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
  const w = await workload(dir, SCENES);
  const total = w.timeline.total;
  const frames = Math.round(total * FPS);
  console.log(`  video length ${total.toFixed(1)} s = ${frames} frames`);
  const full = path.join(dir, 'full.mp4');
  const [raw, pcm] = [path.join(dir, 'content.yuv'), path.join(dir, 'content.f32')];
  const audio = audioEncoding(DEFAULT_AUDIO_KBPS);
  const runs: Record<'full' | 'content' | 'still' | 'pan', Measured[]> = { full: [], content: [], still: [], pan: [] };
  try {
    for (let r = 0; r < RUNS; r++) {
      runs.full.push(await fullRender(dir, w, full));
      if (r === 0) for (const job of decodeJobs(full, raw, pcm)) await runFfmpeg(job);
      runs.content.push(await measure(() => runFfmpeg(contentFloorJob(raw, pcm, VIDEO, audio, path.join(dir, 'content-floor.mp4')))));
      runs.still.push(await measure(() => runFfmpeg(stillFloorJob(w.pictures[1], frames, VIDEO, path.join(dir, 'still-floor.mp4')))));
      runs.pan.push(await measure(() => runFfmpeg(panFloorJob(w.pictures[1], frames, w.timeline.scenes[0].length, VIDEO, path.join(dir, 'pan-floor.mp4')))));
    }
  } finally {
    fs.rmSync(raw, { force: true });
    fs.rmSync(pcm, { force: true });
  }
  const naive = await measure(() => runFfmpeg(naiveJob(w, VIDEO, path.join(dir, 'naive.mp4'))));
  const [f, c, s, p] = [best(runs.full), best(runs.content), best(runs.still), best(runs.pan)];
  const row = (name: string, m: Measured) =>
    console.log(
      `  ${name.padEnd(44)} ${m.seconds.toFixed(1).padStart(7)} s  ${(total / m.seconds).toFixed(2).padStart(5)}x realtime  ${(m.seconds / c.seconds).toFixed(2).padStart(5)}x content floor` +
        `  CPU ${m.cpu.toFixed(1).padStart(6)} s  peak memory ${m.peakMiB.toFixed(0)} MiB`,
    );
  row('content floor (x264 + AAC on the output)', c);
  row('full render (lost-archives)', f);
  row('still floor (one still, x264 only)', s);
  row('pan floor (one still, whole-pixel pan)', p);
  row('naive (zoompan + xfade in one graph)', naive);
  const each = (k: keyof typeof runs) => runs[k].map((m) => m.seconds.toFixed(1)).join(', ');
  console.log(`  runs in turns (s; best of ${RUNS} above): full ${each('full')}; content floor ${each('content')}; still floor ${each('still')}; pan floor ${each('pan')}`);
  console.log(`  what the motion costs x264 alone: content floor / still floor = ${(c.seconds / s.seconds).toFixed(2)}x`);
  console.log(`  video bitrate: full render ${videoMbps(full).toFixed(2)} Mbps, content floor ${videoMbps(path.join(dir, 'content-floor.mp4')).toFixed(2)} Mbps (${PROFILE})`);
  console.log(`  target: full render within 1.10x of the content floor: ${(f.seconds / c.seconds).toFixed(3)}x -> ${verdict(f.seconds <= 1.1 * c.seconds)}`);
  console.log(`  target: full render at least 2.5x faster than the naive graph: ${(naive.seconds / f.seconds).toFixed(2)}x -> ${verdict(naive.seconds >= 2.5 * f.seconds)}`);
  // what any render with these encoder settings can reach: the encoders alone against the naive graph
  console.log(`    (the encoders alone, the content floor, are ${(naive.seconds / c.seconds).toFixed(2)}x faster than the naive graph: the most a render within 1.0x of them can be; the full render is ${(naive.seconds / f.seconds).toFixed(2)}x -> ${verdict(naive.seconds / f.seconds >= naive.seconds / c.seconds)})`);
  if (minutes.length) await longForm(dir, minutes, { seconds: total, run: f });
}

function list(flag: string): number[] | null {
  const at = process.argv.indexOf(flag);
  if (at < 0) return null;
  const values = (process.argv[at + 1] ?? '').split(',').map(Number);
  if (!values.length || values.some((v) => !Number.isInteger(v) || v < 1)) {
    console.error(`${flag} takes whole numbers, e.g. ${flag} ${flag === '--workers' ? '1,2' : '30,60'}`);
    process.exit(2);
  }
  return values;
}

const workers = list('--workers');
(workers ? renderWorkersBench(workers.length === 1 && workers[0] > 1 ? [1, workers[0]] : workers) : main(list('--minutes') ?? [])).catch((err) => {
  console.error(err);
  process.exit(1);
});
