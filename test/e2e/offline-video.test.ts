import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '../../src/db/postgres.js';
import type { Db } from '../../src/db/types.js';
import { silentLogger } from '../../src/log.js';
import { parseSrt } from '../../src/media/subtitles.js';
import { chapters, sceneTimeline } from '../../src/media/timeline.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { createDatabase } from '../helpers/db.js';
import { tempDir } from '../helpers/services.js';

/** The whole offline pipeline through the real CLI, checked the way a viewer would: ffprobe and frames. */

const W = 640;
const H = 360;
const FPS = 30;

function writeConfig(cwd: string, extra: object = {}) {
  fs.writeFileSync(
    path.join(cwd, '.lost-archivesrc.json'),
    JSON.stringify({ video: { width: W, height: H, fps: FPS, preset: 'superfast' }, queue: { leaseSeconds: 3, pollSeconds: 0.2, backoffBaseSeconds: 0.5 }, ...extra }),
  );
}

function ffprobe(file: string) {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file], { encoding: 'utf8' }));
}

/** RGB bytes of one frame at time t, optionally cropped to the bottom part of the picture. */
function frame(file: string, t: number, bottom = false): Buffer {
  const crop = bottom ? [`-vf`, `crop=iw:ih*0.2:0:ih*0.8`] : [];
  return execFileSync('ffmpeg', ['-v', 'error', '-ss', t.toFixed(3), '-i', file, '-frames:v', '1', ...crop, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 64 << 20 });
}

/** Pixels bright in blue too: the white subtitle text (the sepia paper never gets there). */
function whitePixels(rgb: Buffer): number {
  let n = 0;
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i] > 215 && rgb[i + 1] > 215 && rgb[i + 2] > 215) n++;
  return n;
}

function meanAbsDiff(a: Buffer, b: Buffer): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i] - b[i]);
  return d / a.length;
}

/** Mean volume in dB of the audio between two times. */
function meanVolume(file: string, from: number, to: number): number {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-ss', String(from), '-to', String(to), '-i', file, '-map', '0:a', '-af', 'volumedetect', '-f', 'null', '-'], { encoding: 'utf8' });
  const m = /mean_volume: (-?[\d.]+|-inf) dB/.exec(r.stderr);
  return m ? Number(m[1] === '-inf' ? -Infinity : m[1]) : -Infinity;
}

/** Integrated loudness in LUFS, as ffmpeg's loudnorm measures it. */
function integratedLoudness(file: string): number {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-map', '0:a', '-af', 'loudnorm=print_format=json', '-f', 'null', '-'], { encoding: 'utf8' });
  const m = /"input_i"\s*:\s*"(-?[\d.]+)"/.exec(r.stderr);
  if (!m) throw new Error('no loudness measurement in ffmpeg output');
  return Number(m[1]);
}

describe('topic to MP4, offline, on the embedded database', () => {
  const cwd = tempDir('la-e2e-');
  let story: {
    id: string;
    status: string;
    metadata: { title: string; description: string; chapters: { start: number; title: string }[] };
    scenes: { position: number; duration_seconds: number; sentence_timings: { text: string; start: number; end: number }[] }[];
    assets: { kind: string; url: string }[];
    jobs: { type: string; status: string }[];
  };
  let video: string;

  beforeAll(async () => {
    writeConfig(cwd);
    const r = await runCli(['run', 'The Library of Alexandria'], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✔ Render the video/);
    const id = /story ([0-9a-f-]{36})/.exec(r.stdout)![1];
    story = JSON.parse((await runCli(['status', id, '--json'], { cwd })).stdout);
    video = path.join(cwd, 'published', id, 'video.mp4');
  }, 300_000);

  it('publishes the story with every stage completed once', () => {
    expect(story.status).toBe('published');
    expect(story.jobs.map((j) => [j.type, j.status])).toEqual(
      ['generate_script', 'generate_images', 'generate_audio', 'generate_subtitles', 'generate_metadata', 'render_video', 'upload_youtube'].map((t) => [t, 'completed']),
    );
    for (const f of ['video.mp4', 'thumbnail.jpg', 'captions.srt', 'metadata.json']) expect(fs.existsSync(path.join(cwd, 'published', story.id, f))).toBe(true);
    expect(story.scenes.length).toBeGreaterThanOrEqual(6);
    expect(story.scenes.length).toBeLessThanOrEqual(10);
  });

  it('writes an H.264 High + AAC MP4 of the configured size and rate, as long as the timeline to the frame', () => {
    const p = ffprobe(video);
    const v = p.streams.find((s: { codec_type: string }) => s.codec_type === 'video');
    const a = p.streams.find((s: { codec_type: string }) => s.codec_type === 'audio');
    expect([v.codec_name, v.profile, v.width, v.height, v.r_frame_rate, v.pix_fmt]).toEqual(['h264', 'High', W, H, `${FPS}/1`, 'yuv420p']);
    expect(a.codec_name).toBe('aac');
    const timeline = sceneTimeline(story.scenes, { fps: FPS, transitionSeconds: 0.5 });
    expect(Math.abs(Number(p.format.duration) - timeline.total)).toBeLessThanOrEqual(1 / FPS + 0.03);
    expect(Number(v.nb_frames)).toBe(Math.round(timeline.total * FPS));
    // chapters in the description are the timeline's scene starts (the first at 0:00, over the title card)
    expect(story.metadata.chapters.map((c) => c.start)).toEqual(chapters(timeline, story.scenes.map(() => '')).map((c) => c.start));
    expect(story.metadata.chapters[1].start).toBe(timeline.scenes[1].start);
    expect(story.metadata.description).toContain('0:00 The Question');
    expect(story.metadata.title).toMatch(/preview/);
  });

  it("encodes the picture with YouTube's recommended settings: closed half-second GOPs, 2 B-frames, BT.709, YouTube's bitrate", () => {
    const v = ffprobe(video).streams.find((s: { codec_type: string }) => s.codec_type === 'video');
    expect([v.color_primaries, v.color_transfer, v.color_space, v.color_range]).toEqual(['bt709', 'bt709', 'bt709', 'tv']);
    expect(Number(v.has_b_frames)).toBeLessThanOrEqual(2);
    const frames = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=key_frame,pict_type', '-of', 'csv=p=0', video], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => l.split(','));
    // a keyframe (IDR: a closed GOP) every 15 frames, and every I-frame is one of them
    frames.forEach(([key, type], i) => {
      expect(key === '1', `frame ${i}`).toBe(i % 15 === 0);
      if (type === 'I') expect(key).toBe('1');
    });
    expect(Math.max(...frames.map(([, t]) => t).join('').split(/[IP]/).map((run) => run.length))).toBeLessThanOrEqual(2);
    expect(frames.some(([, t]) => t === 'B')).toBe(true);
    // YouTube's recommendation for 360p: 1 Mbps on average (x264's one-pass average bitrate)
    expect(Number(v.bit_rate)).toBeGreaterThan(1_000_000 * 0.8);
    expect(Number(v.bit_rate)).toBeLessThan(1_000_000 * 1.2);
  });

  it('delivers SRT cues at the stored sentence timings', () => {
    const cues = parseSrt(fs.readFileSync(path.join(cwd, 'published', story.id, 'captions.srt'), 'utf8'));
    const timeline = sceneTimeline(story.scenes, { fps: FPS, transitionSeconds: 0.5 });
    const firstOfEach = story.scenes.map((s, i) => timeline.scenes[i].narrationStart + s.sentence_timings[0].start);
    // never before its sentence starts, and at most a centisecond after (cue times are whole centiseconds)
    for (const t of firstOfEach) expect(cues.some((c) => c.start >= t - 1e-6 && c.start < t + 0.0105)).toBe(true);
    const sentences = story.scenes.flatMap((s) => s.sentence_timings.map((t) => t.text));
    expect(cues.map((c) => c.lines.join(' ')).join(' ')).toBe(sentences.join(' '));
  });

  it('shows a different still in each scene and burns in the subtitles', () => {
    const timeline = sceneTimeline(story.scenes, { fps: FPS, transitionSeconds: 0.5 });
    const mids = timeline.scenes.map((s) => frame(video, (s.start + s.end) / 2));
    for (let i = 1; i < mids.length; i++) expect(meanAbsDiff(mids[i - 1], mids[i])).toBeGreaterThan(3);
    const cueTime = timeline.scenes[1].narrationStart + story.scenes[1].sentence_timings[0].end / 2;
    // a one-line cue at 640x360 (Noto Sans at 16 px, e.g. "Our subject is The Library of Alexandria.") measures
    // 74-87 pixels of white fill; the frames without a cue stay under 20
    expect(whitePixels(frame(video, cueTime, true))).toBeGreaterThan(50);
    expect(whitePixels(frame(video, timeline.scenes[0].start + 0.1, true))).toBeLessThan(20);
    // on time to the frame: absent two frames before the cue starts, there two frames after
    const cueStart = timeline.scenes[1].narrationStart + story.scenes[1].sentence_timings[0].start;
    expect(whitePixels(frame(video, cueStart - 2 / FPS, true))).toBeLessThan(20);
    // the cue's first frames (measured 49-59 white pixels at 640x360 with the 1 Mbps YouTube encoding of a
    // moving picture, against 0 before), and the band changes across the cue's start far more than the
    // Ken Burns move changes it over the same four frames just before
    const [before, after] = [frame(video, cueStart - 2 / FPS, true), frame(video, cueStart + 2 / FPS, true)];
    expect(whitePixels(after)).toBeGreaterThan(25);
    expect(meanAbsDiff(before, after)).toBeGreaterThan(2 * meanAbsDiff(frame(video, cueStart - 6 / FPS, true), before));
  });

  it('opens on the title card and closes on the end card', () => {
    const timeline = sceneTimeline(story.scenes, { fps: FPS, transitionSeconds: 0.5 });
    const mean = (b: Buffer) => b.reduce((n, v) => n + v, 0) / b.length;
    expect(mean(frame(video, 1))).toBeLessThan(70);
    expect(mean(frame(video, timeline.total - 1))).toBeLessThan(70);
    expect(mean(frame(video, (timeline.scenes[0].start + timeline.scenes[0].end) / 2))).toBeGreaterThan(110);
  });

  it('plays the music bed under the title card, before any narration', () => {
    expect(meanVolume(video, 0.5, 3)).toBeGreaterThan(-45);
  });

  it('normalises loudness near -14 LUFS', () => {
    const lufs = integratedLoudness(video);
    expect(lufs).toBeGreaterThan(-15);
    expect(lufs).toBeLessThan(-13);
  });

  it('run --story on a published story does nothing again', async () => {
    const r = await runCli(['run', '--story', story.id], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout.match(/done earlier/g)).toHaveLength(7);
  });
});

describe('an operator script at the default 1920x1080, and a vertical Short', () => {
  const fixture = path.resolve(import.meta.dirname, '../fixtures/tricky.md');

  it('renders any text safely into a full-HD video with its SRT and a thumbnail', async () => {
    const cwd = tempDir('la-e2e-hd-');
    const r = await runCli(['run', '--script', fixture], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const id = /story ([0-9a-f-]{36})/.exec(r.stdout)![1];
    const story = JSON.parse((await runCli(['status', id, '--json'], { cwd })).stdout);
    expect(story.topic).toBe('Quotes, colons & {braces}: 100% "safe"?');
    expect(story.metadata.title).toBe('Quotes, colons & {braces}: 100% "safe"? | The Lost Archives');
    const dir = path.join(cwd, 'published', id);
    const p = ffprobe(path.join(dir, 'video.mp4'));
    const v = p.streams.find((s: { codec_type: string }) => s.codec_type === 'video');
    expect([v.codec_name, v.profile, v.width, v.height, v.r_frame_rate]).toEqual(['h264', 'High', 1920, 1080, '30/1']);
    const timeline = sceneTimeline(story.scenes, { fps: 30, transitionSeconds: 0.5 });
    expect(Math.abs(Number(p.format.duration) - timeline.total)).toBeLessThanOrEqual(1 / 30 + 0.03);
    expect(Number(v.nb_frames)).toBe(Math.round(timeline.total * 30));
    // the subtitles say exactly what the script says
    const srt = parseSrt(fs.readFileSync(path.join(dir, 'captions.srt'), 'utf8'));
    const said = srt.map((c) => c.lines.join(' ')).join(' ');
    for (const bit of ['"Nothing is lost; it\'s only misfiled."', '50% of the scrolls, {they said}, burned at 10:45.', 'Москва и Санкт-Петербург: café, naïve, Ærøskøbing.', 'Escapes like \\N, \\h and %{localtime} must show as written.']) {
      expect(said).toContain(bit);
    }
    // and they are drawn where a cue is due
    const cue = srt.find((c) => c.lines.join(' ').includes('{they'))!;
    expect(whitePixels(frame(path.join(dir, 'video.mp4'), (cue.start + cue.end) / 2, true))).toBeGreaterThan(500);
    const thumb = ffprobe(path.join(dir, 'thumbnail.jpg')).streams[0];
    expect([thumb.codec_name, thumb.width, thumb.height]).toEqual(['mjpeg', 1280, 720]);
    expect(fs.statSync(path.join(dir, 'thumbnail.jpg')).size).toBeLessThan(2 * 1024 * 1024);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'metadata.json'), 'utf8'));
    expect(meta.story_id).toBe(id);
  }, 300_000);

  it('renders a 1080x1920-shaped Short when the config says so', async () => {
    const cwd = tempDir('la-e2e-short-');
    fs.writeFileSync(path.join(cwd, '.lost-archivesrc.json'), JSON.stringify({ video: { width: 360, height: 640, music: 'none' } }));
    const r = await runCli(['run', '--script', fixture, '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const story = JSON.parse(r.stdout);
    expect(story.status).toBe('published');
    const v = ffprobe(path.join(cwd, 'published', story.id, 'video.mp4')).streams.find((s: { codec_type: string }) => s.codec_type === 'video');
    expect([v.width, v.height]).toEqual([360, 640]);
    // a portrait thumbnail for a Short
    const thumb = ffprobe(path.join(cwd, 'published', story.id, 'thumbnail.jpg')).streams[0];
    expect([thumb.width, thumb.height]).toEqual([720, 1280]);
    // music: 'none' leaves the title card silent
    expect(meanVolume(path.join(cwd, 'published', story.id, 'video.mp4'), 0.5, 3)).toBeLessThan(-70);
  }, 300_000);
});

describe('Ctrl-C during run', () => {
  it('hands the running job back to the queue and exits 130; run --story finishes the story', async () => {
    const cwd = tempDir('la-e2e-int-');
    writeConfig(cwd, { sceneConcurrency: 1 });
    const run = startCli(['run', 'The Dancing Plague of 1518'], { cwd });
    await waitFor(() => /[1-9]\/\d+ stills/.test(run.output()), 120_000, 'stills to start');
    run.kill('SIGINT');
    const r = await run.result;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/went back to the queue; resume with `lost-archives run --story /);
    const id = /story ([0-9a-f-]{36})/.exec(r.stdout)![1];
    const mid = JSON.parse((await runCli(['status', id, '--json'], { cwd })).stdout);
    const images = mid.jobs.find((j: { type: string }) => j.type === 'generate_images');
    expect([images.status, images.attempts, images.locked_until]).toEqual(['queued', 0, null]);
    const resumed = await runCli(['run', '--story', id], { cwd });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse((await runCli(['status', id, '--json'], { cwd })).stdout).status).toBe('published');
  }, 300_000);
});

describe('interrupted runs and shared workers on PostgreSQL', () => {
  let created: Awaited<ReturnType<typeof createDatabase>>;
  let db: Db;
  beforeAll(async () => {
    created = await createDatabase();
    db = await connectPostgres(created.url, { poolSize: 2, logger: silentLogger });
    const cwd = tempDir('la-e2e-mig-');
    expect((await runCli(['db', 'migrate'], { cwd, env: { DATABASE_URL: created.url } })).code).toBe(0);
  });
  afterAll(async () => {
    await db.close();
    await created.drop();
  });

  it('a run killed during the audio stage resumes with `run --story` and records only the missing narrations', async () => {
    const cwd = tempDir('la-e2e-kill-');
    writeConfig(cwd, { sceneConcurrency: 1 });
    const env = { DATABASE_URL: created.url };
    const run = startCli(['run', 'The Great Fire of London'], { cwd, env });
    const narrated = () => db.query<{ position: number; story_id: string }>('select position, story_id from scenes where audio_url is not null');
    await waitFor(async () => (await narrated()).length >= 2, 120_000, 'two narrations');
    run.kill('SIGKILL');
    await run.result;
    const before = await narrated();
    const storyId = before[0].story_id;
    const total = (await db.query<{ n: number }>('select count(*)::int as n from scenes where story_id = $1', [storyId]))[0].n;
    expect(before.length).toBeLessThan(total);
    const wav = (pos: number) => path.join(cwd, '.lost-archives', 'storage', 'stories', storyId, 'scenes', String(pos).padStart(2, '0'), 'narration.wav');
    const mtimes = new Map(before.map((s) => [s.position, fs.statSync(wav(s.position)).mtimeMs]));

    const resumed = await runCli(['run', '--story', storyId], { cwd, env });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/Write the script \(done earlier\)/);
    for (const [pos, mtime] of mtimes) expect(fs.statSync(wav(pos)).mtimeMs).toBe(mtime);
    const [job] = await db.query<{ attempts: number; status: string }>("select attempts, status from jobs where story_id = $1 and type = 'generate_audio'", [storyId]);
    expect(job).toEqual({ attempts: 2, status: 'completed' });
    const [s] = await db.query<{ status: string }>('select status from stories where id = $1', [storyId]);
    expect(s.status).toBe('published');
  }, 300_000);

  it('two `run-worker --once` processes of different types publish a story created with `create`', async () => {
    const cwd = tempDir('la-e2e-workers-');
    writeConfig(cwd);
    const env = { DATABASE_URL: created.url };
    const { story_id } = JSON.parse((await runCli(['create', 'The Lighthouse of Alexandria', '--json'], { cwd, env })).stdout);
    const early = ['generate_script', 'generate_images', 'generate_audio', 'generate_subtitles', 'generate_metadata'].flatMap((t) => ['--type', t]);
    const a = await runCli(['run-worker', ...early, '--once', '--name', 'writer', '--concurrency', '2', '--json'], { cwd, env });
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout), a.stderr).toMatchObject({ completed: 5, failed: 0 });
    const mid = JSON.parse((await runCli(['status', story_id, '--json'], { cwd, env })).stdout);
    expect(mid.status).toBe('rendering');
    const b = await runCli(['run-worker', '--type', 'render_video', '--type', 'upload_youtube', '--once', '--name', 'renderer'], { cwd, env });
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/worker stopped.*completed=2/);
    const done = JSON.parse((await runCli(['status', story_id, '--json'], { cwd, env })).stdout);
    expect(done.status).toBe('published');
    expect(done.jobs.map((j: { locked_by: string }) => j.locked_by)).toEqual(['writer', 'writer', 'writer', 'writer', 'writer', 'renderer', 'renderer']);
  }, 300_000);
});
