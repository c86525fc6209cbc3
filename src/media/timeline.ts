/**
 * When each scene starts and ends in the final video: a pure function of the narration durations and
 * the transition length, shared by metadata (chapters) and render, so both agree to the frame.
 * Times are whole frames (multiples of 1/fps).
 */
export interface TimelineOptions {
  fps: number;
  /** crossfade between scenes, seconds */
  transition: number;
  /** silence before the narration of each scene, seconds */
  lead?: number;
  /** picture held after the narration of each scene, seconds (at least the transition) */
  tail?: number;
}

export interface TimelineScene {
  index: number;
  /** first frame of the scene's picture */
  start: number;
  /** last moment of the scene's picture (overlaps the next scene by the transition) */
  end: number;
  /** length of the scene's picture, end - start */
  length: number;
  /** when the narration starts */
  narrationStart: number;
}

export interface Timeline {
  fps: number;
  transition: number;
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
  const scenes: TimelineScene[] = [];
  let startFrame = 0;
  durations.forEach((d, index) => {
    if (!(d >= 0)) throw new Error(`scene ${index + 1} has no valid narration duration`);
    const lenFrames = leadFrames + Math.ceil(d * fps) + tailFrames;
    scenes.push({
      index,
      start: startFrame / fps,
      end: (startFrame + lenFrames) / fps,
      length: lenFrames / fps,
      narrationStart: (startFrame + leadFrames) / fps,
    });
    startFrame += lenFrames - tFrames;
  });
  const last = scenes.at(-1);
  return { fps, transition: tFrames / fps, scenes, total: last ? last.end : 0 };
}

/** `m:ss` or `h:mm:ss`, as YouTube reads chapter timestamps. */
export function formatTimestamp(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** The timeline of a story's recorded scenes under the video settings. */
export function sceneTimeline(scenes: { position: number; duration_seconds: number | null }[], video: { fps: number; transitionSeconds: number }): Timeline {
  const durations = scenes.map((s) => {
    if (s.duration_seconds == null) throw new Error(`scene ${s.position} has no narration yet`);
    return s.duration_seconds;
  });
  return buildTimeline(durations, { fps: video.fps, transition: video.transitionSeconds });
}
