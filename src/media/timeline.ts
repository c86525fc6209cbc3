/**
 * When each part of the video starts and ends: a pure function of the narration durations, the card
 * lengths and the transition, shared by metadata (chapters), subtitles and render, so all agree to
 * the frame. Times are whole frames (multiples of 1/fps).
 *
 *   [intro card] ⨯ [scene 1] ⨯ [scene 2] ⨯ … ⨯ [scene n] ⨯ [end card]      (⨯ = crossfade)
 */
export interface TimelineOptions {
  fps: number;
  /** crossfade between parts, seconds */
  transition: number;
  /** silence before the narration of each scene, seconds */
  lead?: number;
  /** picture held after the narration of each scene, seconds (at least the transition) */
  tail?: number;
  /** length of the title card before the first scene, seconds; 0 for none */
  intro?: number;
  /** length of the end card after the last scene, seconds; 0 for none */
  outro?: number;
}

interface Span {
  /** first frame of the part's picture */
  start: number;
  /** last moment of its picture (overlaps the next part by the transition) */
  end: number;
  /** end - start */
  length: number;
}

export type Segment = (Span & { kind: 'intro' | 'outro' }) | TimelineScene;

export interface TimelineScene extends Span {
  kind: 'scene';
  index: number;
  /** when the narration starts */
  narrationStart: number;
}

export interface Timeline {
  fps: number;
  transition: number;
  /** every part in order: intro card, scenes, end card */
  segments: Segment[];
  /** the narrated scenes only */
  scenes: TimelineScene[];
  /** total length of the video in seconds */
  total: number;
}

const toFrames = (s: number, fps: number) => Math.round(s * fps);

export function buildTimeline(durations: number[], opts: TimelineOptions): Timeline {
  const { fps } = opts;
  const tFrames = toFrames(opts.transition, fps);
  const leadFrames = toFrames(opts.lead ?? 0.4, fps);
  const tailFrames = Math.max(toFrames(opts.tail ?? 0.6, fps), tFrames);
  const segments: Segment[] = [];
  const scenes: TimelineScene[] = [];
  let startFrame = 0;
  const span = (lenFrames: number): Span => {
    const s = { start: startFrame / fps, end: (startFrame + lenFrames) / fps, length: lenFrames / fps };
    startFrame += lenFrames - tFrames;
    return s;
  };
  const card = (seconds: number | undefined) => (seconds ? Math.max(toFrames(seconds, fps), tFrames + 1) : 0);
  const intro = card(opts.intro);
  if (intro) segments.push({ kind: 'intro', ...span(intro) });
  durations.forEach((d, index) => {
    if (!(d >= 0)) throw new Error(`scene ${index + 1} has no valid narration duration`);
    const narrationStart = (startFrame + leadFrames) / fps;
    // at least one frame of its own between the crossfades in and out, however short the narration
    const lenFrames = Math.max(leadFrames + Math.ceil(d * fps) + tailFrames, 2 * tFrames + 1);
    const scene: TimelineScene = { kind: 'scene', index, narrationStart, ...span(lenFrames) };
    segments.push(scene);
    scenes.push(scene);
  });
  const outro = card(opts.outro);
  if (outro) segments.push({ kind: 'outro', ...span(outro) });
  const last = segments.at(-1);
  return { fps, transition: tFrames / fps, segments, scenes, total: last ? last.end : 0 };
}

/** `m:ss` or `h:mm:ss`, as YouTube reads chapter timestamps. */
export function formatTimestamp(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * Chapters as YouTube accepts them: the first at 0:00 (it covers the title card), each at least
 * 10 seconds long, at least three of them; otherwise none. Scenes too short for a chapter of their
 * own are folded into the one before.
 */
export function chapters(timeline: Timeline, titles: string[]): { start: number; title: string }[] {
  const MIN = 10;
  const out: { start: number; title: string }[] = [];
  timeline.scenes.forEach((s, i) => {
    const start = i === 0 ? 0 : s.start;
    const prev = out.at(-1);
    if (prev && start - prev.start < MIN) return;
    if (prev && timeline.total - start < MIN) return;
    out.push({ start, title: titles[i] });
  });
  return out.length >= 3 ? out : [];
}

/** Card lengths, seconds. */
export const INTRO_SECONDS = 4;
export const OUTRO_SECONDS = 4;

/** The timeline of a story's recorded scenes under the video settings. */
export function sceneTimeline(scenes: { position: number; duration_seconds: number | null }[], video: { fps: number; transitionSeconds: number }): Timeline {
  const durations = scenes.map((s) => {
    if (s.duration_seconds == null) throw new Error(`scene ${s.position} has no narration yet`);
    return s.duration_seconds;
  });
  return buildTimeline(durations, { fps: video.fps, transition: video.transitionSeconds, intro: INTRO_SECONDS, outro: OUTRO_SECONDS });
}
