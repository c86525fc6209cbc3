import type { ProbeResult } from './ffmpeg.js';
import { type Loudness, TARGET_LUFS, TARGET_TP, parseLoudness } from './soundtrack.js';
import type { Timeline } from './timeline.js';

/**
 * The render check, as a pure reading: what ffprobe says of the file and what one analysis pass printed
 * (ebur128, blackdetect, silencedetect; src/media/check.ts builds it) against what the timeline expects.
 * Every problem found is named; none means the file may be stored.
 */

/** blackdetect: at least half a second of frames with 98% of pixels under 10% luma. The title and end
 * cards measure 95-96% there (dark paper, light text), the stills 0%. */
export const BLACK = { seconds: 0.5, pixel: 0.1, picture: 0.98 };
/** silencedetect: 1.5 s under -50 dBFS. espeak's pauses between sentences measure at most 0.93 s there;
 * with the music bed nothing is ever that quiet. */
export const SILENCE = { seconds: 1.5, noiseDb: -50 };
export const LOUDNESS_TOLERANCE_LU = 1;

export interface Span {
  start: number;
  end: number;
}

export interface RenderExpectation {
  width: number;
  height: number;
  fps: number;
  /** the timeline's total, seconds */
  seconds: number;
  /** the title and end cards, dark by design (their crossfades too) */
  dark: Span[];
  /** each scene's stretch, to say where something went wrong */
  scenes: Span[];
  /** where each scene's narration speaks (from its start to the next crossfade), where the sound must not stop */
  narration: Span[];
}

/** What the timeline promises. */
export function expectRender(timeline: Timeline, size: { width: number; height: number }): RenderExpectation {
  return {
    ...size,
    fps: timeline.fps,
    seconds: timeline.total,
    dark: timeline.segments.filter((s) => s.kind !== 'scene').map((s) => ({ start: s.start, end: s.end })),
    scenes: timeline.scenes.map((s) => ({ start: s.start, end: s.end })),
    narration: timeline.scenes.map((s) => ({ start: s.narrationStart, end: s.end - timeline.transition })),
  };
}

const num = (v: string) => Number(v);

/** blackdetect's stretches: `black_start:30 black_end:32 black_duration:2`. */
export function parseBlack(stderr: string): Span[] {
  return [...stderr.matchAll(/black_start:\s*([\d.]+)\s+black_end:\s*([\d.]+)/g)].map((m) => ({ start: num(m[1]), end: num(m[2]) }));
}

/** silencedetect's stretches; one still open at the end of the file ends there (`total`). */
export function parseSilence(stderr: string, total: number): Span[] {
  const out: Span[] = [];
  let open: number | null = null;
  for (const m of stderr.matchAll(/silence_(start|end):\s*(-?[\d.]+)/g)) {
    if (m[1] === 'start') open = Math.max(0, num(m[2]));
    else if (open !== null) {
      out.push({ start: open, end: num(m[2]) });
      open = null;
    }
  }
  if (open !== null) out.push({ start: open, end: total });
  return out;
}

const overlap = (a: Span, b: Span) => Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
const s1 = (x: number) => x.toFixed(1);
const span = (s: Span) => `${s1(s.start)}-${s1(s.end)} s`;

/** The problems of a rendered file, in words an operator can act on; empty when it is as expected. */
export function renderProblems(want: RenderExpectation, probe: ProbeResult, analysis: string): string[] {
  const problems: string[] = [];
  const frame = 1 / want.fps;
  const near = (seconds: number) => Math.abs(seconds - want.seconds) <= frame + 0.001;
  const timeline = `timeline ${s1(want.seconds)} s`;
  if (!near(probe.duration)) problems.push(`duration ${s1(probe.duration)} s, ${timeline}`);

  const videos = probe.streams.filter((s) => s.codec_type === 'video');
  const audios = probe.streams.filter((s) => s.codec_type === 'audio');
  const v = videos[0];
  if (videos.length !== 1) problems.push(`${videos.length} video streams, expected 1`);
  if (v) {
    if (v.codec_name !== 'h264') problems.push(`video codec ${v.codec_name}, expected h264`);
    if (v.width !== want.width || v.height !== want.height) problems.push(`video ${v.width}x${v.height}, expected ${want.width}x${want.height}`);
    const [a, b] = String(v.r_frame_rate ?? '0/1').split('/').map(Number);
    if (Math.abs(a / (b || 1) - want.fps) > 0.01) problems.push(`video at ${v.r_frame_rate} fps, expected ${want.fps}`);
    if (v.duration !== undefined && !near(Number(v.duration))) problems.push(`video ${s1(Number(v.duration))} s, ${timeline}`);
  }
  const a = audios[0];
  if (audios.length !== 1) problems.push(`${audios.length} audio streams, expected 1`);
  if (a) {
    if (a.codec_name !== 'aac' || Number(a.sample_rate) !== 48000 || a.channels !== 2) {
      problems.push(`audio ${a.codec_name} ${a.sample_rate} Hz ${a.channels} channels, expected aac 48000 Hz 2 channels`);
    }
    if (a.duration !== undefined && !near(Number(a.duration))) problems.push(`audio ${s1(Number(a.duration))} s, ${timeline}`);
  }

  // no analysis pass runs over a file missing a stream
  if (!v || !a) return problems;
  for (const black of parseBlack(analysis)) {
    // the cards may be dark; a scene's own picture may not
    const outside = black.end - black.start - want.dark.reduce((sum, d) => sum + overlap(black, d), 0);
    if (outside > 2 * frame) problems.push(`black ${span(black)} in scene ${where(want.scenes, black)}`);
  }
  for (const quiet of parseSilence(analysis, want.seconds)) {
    const spoken = want.narration.reduce((sum, n) => sum + overlap(quiet, n), 0);
    if (spoken >= SILENCE.seconds) problems.push(`silent ${span(quiet)} during the narration of scene ${where(want.narration, quiet)}`);
  }
  problems.push(...loudnessProblems(readLoudness(analysis)));
  return problems;
}

/** The scene (1-based) a stretch falls in, or the first and last it covers: `3` or `3-7`. */
function where(spans: Span[], s: Span): string {
  const hit = spans.map((x, i) => [overlap(s, x), i + 1]).filter(([o]) => o > 0).map(([, i]) => i);
  if (hit.length === 0) return '?';
  return hit.length === 1 ? String(hit[0]) : `${hit[0]}-${hit.at(-1)}`;
}

function readLoudness(analysis: string): Loudness | null {
  try {
    return parseLoudness(analysis);
  } catch {
    return null;
  }
}

function loudnessProblems(l: Loudness | null): string[] {
  if (!l) return ['no loudness measurement'];
  const out: string[] = [];
  if (!(Math.abs(l.integrated - TARGET_LUFS) <= LOUDNESS_TOLERANCE_LU)) out.push(`loudness ${l.integrated.toFixed(1)} LUFS, expected ${TARGET_LUFS} ± ${LOUDNESS_TOLERANCE_LU}`);
  if (!(l.truePeak <= TARGET_TP)) out.push(`true peak ${l.truePeak.toFixed(1)} dBTP, over ${TARGET_TP}`);
  return out;
}
