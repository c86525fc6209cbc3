/**
 * Render benchmark: a fixed 20-scene, 5-minute workload at 1920x1080, 30 fps, rendered the way the
 * render stage does it (title and end cards, pans, crossfades, burned subtitles, ducked music,
 * two-pass loudness), beside two references measured in the same run:
 *   floor: libx264 encoding the same number of frames of one still (decoded once) with the same
 *     encoder settings (src/media/encoding.ts, profile BENCH_PROFILE, default youtube)
 *   pan floor: the same, panned in whole pixels as renders before the Ken Burns move did (a moving
 *     crop of a 1.12x enlargement): what x264 pays for that motion, with none of the render's work
 *   zoom floor: the same still moved by the render's own sub-pixel zoom and pan (src/media/motion.ts),
 *     scene after scene: what the move costs (the perspective filter and x264's work on it)
 *   naive: one graph with zoompan on every input (the usual way to write a Ken Burns render)
 * Prints the realtime factor (video seconds per wall second), the ratio to the floor, and peak RSS of
 * ffmpeg. A 5-scene run of the same render shows whether memory grows with the video's length.
 * The floor, the pan floor, the zoom floor and the full render are measured BENCH_RUNS times each (default 2), in turns,
 * and the best of each is compared. BENCH_SCENES (default 20) and BENCH_SCENE_SECONDS (default 14) shrink it for a quick look.
 * With `--workers 1,2` it measures a render spread over worker processes instead (bench/render-workers.ts).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cardText, drawCard } from '../src/media/cards.js';
import { cardWords } from '../src/providers/text/preview-texts.js';
import { type FfmpegJob, runFfmpeg } from '../src/media/ffmpeg.js';
import { subtitleFont } from '../src/media/fonts.js';
import { builtinBedJob } from '../src/media/music.js';
import { type VideoProfile, videoEncoding } from '../src/media/encoding.js';
import { moveFilter, sceneMove } from '../src/media/motion.js';
import { planRender } from '../src/media/render.js';
import { runRenderPlan } from '../src/media/run-render.js';
import { buildCues } from '../src/media/cues.js';
import { toAss } from '../src/media/subtitles.js';
import { INTRO_SECONDS, OUTRO_SECONDS, buildTimeline } from '../src/media/timeline.js';
import { previewIllustrator } from '../src/providers/image/preview.js';
import { renderWorkersBench } from './render-workers.js';

const W = 1920;
const H = 1080;
const FPS = 30;
const PRESET = 'veryfast';
const PROFILE = (process.env.BENCH_PROFILE ?? 'youtube') as VideoProfile;
const ENCODE = videoEncoding(PROFILE, PRESET, W, H, FPS);
/** as the render stage's default: one ffmpeg per core, at most 4 */
const PROCESSES = Math.min(4, os.availableParallelism());
const SCENES = Number(process.env.BENCH_SCENES ?? 20);
const SCENE_SECONDS = Number(process.env.BENCH_SCENE_SECONDS ?? 14);
/** how many times the floor, the pan floor and the full render are each measured (in turns); the best of each counts */
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 2));

type Measured = { seconds: number; peakMiB: number; cpu: number };

/** CPU seconds (user + system) of this process's finished children, from /proc/self/stat. */
function childCpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 16 and 17 of stat(5) (cutime, cstime), counted from the state field (3)
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Wall time, children's CPU time and peak resident memory of this process's ffmpeg children while `fn` runs. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakMiB: number; seconds: number; cpu: number }> {
  let peak = 0;
  // the sum over the ffmpeg processes running at the same moment (the render runs several at once)
  const sample = () => {
    let sum = 0;
    for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== process.pid || !stat.includes('(ffmpeg)')) continue;
        const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (rss) sum += Number(rss[1]) / 1024;
      } catch {
        /* exited meanwhile */
      }
    }
    peak = Math.max(peak, sum);
  };
  const timer = setInterval(sample, 100);
  const t0 = performance.now();
  const cpu0 = childCpuSeconds();
  try {
    const result = await fn();
    return { result, peakMiB: peak, seconds: (performance.now() - t0) / 1000, cpu: childCpuSeconds() - cpu0 };
  } finally {
    clearInterval(timer);
  }
}

async function workload(dir: string, scenes: number) {
  const durations = Array.from({ length: scenes }, () => SCENE_SECONDS);
  const timeline = buildTimeline(durations, { fps: FPS, transition: 0.5, intro: INTRO_SECONDS, outro: OUTRO_SECONDS });
  const stills: string[] = [];
  const narrations: string[] = [];
  const illustrator = previewIllustrator();
  const signal = new AbortController().signal;
  for (let i = 0; i < scenes; i++) {
    const still = path.join(dir, `still-${i}.png`);
    if (!fs.existsSync(still)) {
      await illustrator.drawStill({ prompt: `Benchmark still number ${i + 1}`, caption: `Scene ${i + 1}`, position: i + 1, total: scenes, topic: 'Benchmark', language: 'en-US', width: W, height: H, out: still }, signal);
    }
    stills.push(still);
    const voice = path.join(dir, `voice-${i}.wav`);
    if (!fs.existsSync(voice)) {
      // a speech-like signal: a tone that swells and pauses every sentence
      await runFfmpeg({
        inputs: [{ path: `sine=f=${180 + i * 7}:d=${SCENE_SECONDS}:sample_rate=22050`, format: 'lavfi' }],
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
  return { timeline, stills, narrations, ass, intro, outro, music };
}

async function fullRender(dir: string, w: Awaited<ReturnType<typeof workload>>, out: string) {
  const pictures = w.timeline.segments.map((s) => (s.kind === 'scene' ? w.stills[s.index] : s.kind === 'intro' ? w.intro : w.outro));
  const workDir = fs.mkdtempSync(path.join(dir, 'parts-'));
  const plan = planRender({ pictures, narrations: w.narrations, music: w.music, timeline: w.timeline, width: W, height: H, captions: fs.readFileSync(w.ass, 'utf8'), seed: 'benchmark', profile: PROFILE, preset: PRESET, processes: PROCESSES, workDir, output: out });
  await runRenderPlan(plan, runFfmpeg);
  fs.rmSync(workDir, { recursive: true, force: true });
}

/** The still decoded once and repeated in memory: what remains is the encoder's own work. */
function floorJob(still: string, frames: number, out: string): FfmpegJob {
  return {
    inputs: [{ path: still }],
    filter: `[0:v]format=yuv420p,loop=loop=${frames - 1}:size=1:start=0,setpts=N/(${FPS}*TB)[out]`,
    outputOptions: ['-map', '[out]', ...ENCODE],
    output: out,
  };
}

/**
 * The same still panned the way the render pans its scenes (across the margin once per scene's length,
 * then from the start again): what the encoder alone pays for the motion, with none of the render's work.
 */
function panFloorJob(still: string, frames: number, sceneSeconds: number, out: string): FfmpegJob {
  const bw = Math.ceil((W * 1.12) / 2) * 2;
  const bh = Math.ceil((H * 1.12) / 2) * 2;
  const p = `(mod(t,${sceneSeconds.toFixed(3)})/${sceneSeconds.toFixed(3)})`;
  return {
    inputs: [{ path: still }],
    filter:
      `[0:v]scale=${bw}:${bh},format=yuv420p,loop=loop=${frames - 1}:size=1:start=0,setpts=N/(${FPS}*TB),` +
      `crop=${W}:${H}:x='(iw-ow)*${p}':y='(ih-oh)*${p}':exact=1[out]`,
    outputOptions: ['-map', '[out]', ...ENCODE],
    output: out,
  };
}

/**
 * The same still moved by the render's Ken Burns move, one scene's move after another (each scene its
 * own perspective filter over its frames, concatenated): the move's cost with none of the render's other work.
 */
function zoomFloorJob(still: string, frames: number, sceneSeconds: number, out: string): FfmpegJob {
  const per = Math.round(sceneSeconds * FPS);
  const scenes = Math.ceil(frames / per);
  const chains = [`[0:v]format=yuv420p,split=${scenes}${Array.from({ length: scenes }, (_, i) => `[s${i}]`).join('')}`];
  for (let i = 0; i < scenes; i++) {
    const count = Math.min(per, frames - i * per);
    chains.push(`[s${i}]loop=loop=${count - 1}:size=1:start=0,${moveFilter(sceneMove('benchmark', i, sceneSeconds), W, H, per, 0)},setpts=N/(${FPS}*TB)[m${i}]`);
  }
  chains.push(`${Array.from({ length: scenes }, (_, i) => `[m${i}]`).join('')}concat=n=${scenes}:v=1:a=0[out]`);
  return { inputs: [{ path: still }], filter: chains.join(';'), outputOptions: ['-map', '[out]', ...ENCODE, '-frames:v', String(frames)], output: out };
}

function naiveJob(w: Awaited<ReturnType<typeof workload>>, out: string): FfmpegJob {
  const parts = w.timeline.segments;
  const pictures = parts.map((s) => (s.kind === 'scene' ? w.stills[s.index] : s.kind === 'intro' ? w.intro : w.outro));
  const chains = parts.map((s, i) => {
    const frames = Math.round(s.length * FPS);
    return `[${i}:v]scale=${W}:${H},zoompan=z='min(zoom+0.0006,1.12)':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=${frames}:s=${W}x${H}:fps=${FPS},format=yuv420p[v${i}]`;
  });
  let last = 'v0';
  for (let i = 1; i < parts.length; i++) {
    chains.push(`[${last}][v${i}]xfade=transition=fade:duration=${w.timeline.transition}:offset=${parts[i].start.toFixed(3)}[x${i}]`);
    last = `x${i}`;
  }
  chains.push(`[${last}]ass=filename=${w.ass}[vout]`);
  return {
    inputs: pictures.map((p) => ({ path: p })),
    filter: chains.join(';'),
    outputOptions: ['-map', '[vout]', ...ENCODE, '-t', w.timeline.total.toFixed(3)],
    output: out,
  };
}

/** The video stream's average bitrate in bits per second, from its size and length. */
function videoBitrate(file: string): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=bit_rate', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return Number(out.trim());
}

async function main() {
  const dir = path.join(os.tmpdir(), 'lost-archives-bench-render');
  fs.mkdirSync(dir, { recursive: true });
  console.log(`render benchmark: ${SCENES} scenes x ${SCENE_SECONDS}s narration, ${W}x${H} ${FPS} fps, preset ${PRESET}, profile ${PROFILE}, ${PROCESSES} render processes (${os.cpus().length} cores)`);
  const big = await workload(dir, SCENES);
  const total = big.timeline.total;
  const frames = Math.round(total * FPS);
  console.log(`  video length ${total.toFixed(1)} s = ${frames} frames`);

  // the floor, the pan floor and the full render in turns, RUNS times each, and the best of each kept: a shared
  // machine's speed drifts by a third within minutes, and a slow spell under one of them would decide the ratio
  const floors: Measured[] = [];
  const panFloors: Measured[] = [];
  const zoomFloors: Measured[] = [];
  const fulls: Measured[] = [];
  for (let r = 0; r < RUNS; r++) {
    floors.push(await withPeakRss(() => runFfmpeg(floorJob(big.stills[0], frames, path.join(dir, 'floor.mp4')))));
    panFloors.push(await withPeakRss(() => runFfmpeg(panFloorJob(big.stills[0], frames, big.timeline.scenes[0].length, path.join(dir, 'pan-floor.mp4')))));
    zoomFloors.push(await withPeakRss(() => runFfmpeg(zoomFloorJob(big.stills[0], frames, big.timeline.scenes[0].length, path.join(dir, 'zoom-floor.mp4')))));
    fulls.push(await withPeakRss(() => fullRender(dir, big, path.join(dir, 'full.mp4'))));
  }
  const best = (runs: Measured[]) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const floor = best(floors);
  const panFloor = best(panFloors);
  const zoomFloor = best(zoomFloors);
  const full = best(fulls);
  const naive = await withPeakRss(() => runFfmpeg(naiveJob(big, path.join(dir, 'naive.mp4'))));
  const row = (name: string, r: { seconds: number; peakMiB: number; cpu: number }) =>
    console.log(
      `  ${name.padEnd(40)} ${r.seconds.toFixed(1).padStart(7)} s  ${(total / r.seconds).toFixed(2).padStart(5)}x realtime  ${(r.seconds / floor.seconds).toFixed(2).padStart(5)}x floor` +
        `  CPU ${r.cpu.toFixed(1).padStart(6)} s (${(r.cpu / floor.cpu).toFixed(2)}x floor)  peak RSS ${r.peakMiB.toFixed(0)} MiB`,
    );
  row('floor (one still, x264 only)', floor);
  row('pan floor (one still, panned per scene)', panFloor);
  row('zoom floor (one still, sub-pixel Ken Burns)', zoomFloor);
  row('full render (lost-archives)', full);
  row('naive (zoompan on every input)', naive);
  const each = (runs: Measured[]) => runs.map((r) => `${r.seconds.toFixed(1)} s`).join(', ');
  console.log(`  runs taken in turns (best of ${RUNS} kept above): floor ${each(floors)}; pan floor ${each(panFloors)}; zoom floor ${each(zoomFloors)}; full render ${each(fulls)}`);
  console.log(`  the sub-pixel move against the whole-pixel pan (x264 alone, same settings): ${(zoomFloor.seconds / panFloor.seconds).toFixed(2)}x the time, ${(zoomFloor.cpu / panFloor.cpu).toFixed(2)}x the CPU`);
  console.log(`  target: full render within 1.3x of the floor -> ${full.seconds / floor.seconds <= 1.3 ? 'met' : 'NOT met'}`);
  console.log(`  full render / zoom floor (the move's own cost taken out): ${(full.seconds / zoomFloor.seconds).toFixed(2)}x`);
  for (const [name, file] of [['floor', 'floor.mp4'], ['zoom floor', 'zoom-floor.mp4'], ['full render', 'full.mp4']]) {
    console.log(`  ${name} video bitrate: ${(videoBitrate(path.join(dir, file)) / 1e6).toFixed(2)} Mbps (${PROFILE})`);
  }

  const quarter = Math.max(2, Math.round(SCENES / 4));
  const small = await workload(dir, quarter);
  const fullSmall = await withPeakRss(() => fullRender(dir, small, path.join(dir, 'full-small.mp4')));
  console.log(`  memory vs length: ${quarter} scenes (${small.timeline.total.toFixed(0)} s) peak ${fullSmall.peakMiB.toFixed(0)} MiB; ${SCENES} scenes (${total.toFixed(0)} s) peak ${full.peakMiB.toFixed(0)} MiB (${(full.peakMiB / fullSmall.peakMiB).toFixed(2)}x for ${(total / small.timeline.total).toFixed(1)}x the length)`);
}

// `--workers 1,2`: the render spread over worker processes instead (bench/render-workers.ts)
const workers = process.argv.indexOf('--workers');
const counts = workers < 0 ? null : (process.argv[workers + 1] ?? '').split(',').map(Number);
if (counts && (!counts.length || counts.some((c) => !Number.isInteger(c) || c < 1))) {
  console.error('--workers takes worker counts, e.g. --workers 1,2 (a single N measures 1 and N)');
  process.exit(2);
}
(counts ? renderWorkersBench(counts.length === 1 && counts[0] > 1 ? [1, counts[0]] : counts) : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
