import path from 'node:path';
import type { FfmpegJob } from './ffmpeg.js';
import { type Part, type PictureSpec, planParts } from './parts.js';
import { DEFAULT_AUDIO_KBPS, type SoundtrackPlan, planSoundtrack } from './soundtrack.js';
import { type CueSheet, cueSheet, escapeFilterValue } from './subtitles.js';

/**
 * The render, as data (pure builders; src/media/run-render.ts runs them):
 * 1. the soundtrack: each narration placed at its scene's narration start, over a music bed that is
 *    ducked (side-chain compressed) under the voice;
 * 2. the picture (src/media/parts.ts): every picture (title card, stills, end card) decoded and fitted
 *    once, repeated in memory, each still moved by its scene's Ken Burns zoom and pan (src/media/motion.ts);
 *    only the half-second overlaps are blended (the next picture faded in over the last), the rest is
 *    concatenated; subtitles drawn once per cue and laid over their frames; the soundtrack brought to
 *    -14 LUFS by one gain from the loudness measured beforehand.
 */

const n = (x: number) => Number(x.toFixed(3)).toString();

export interface RenderSpec extends PictureSpec {
  /** one narration per scene, placed at its scene's narration start */
  narrations: string[];
  /** a music track to loop under the narration, or null */
  music: string | null;
  /** the ASS script (its text) to burn in, or null */
  captions: string | null;
  /** how many ffmpeg processes render parts of the picture at once */
  processes: number;
  /** AAC bitrate of the soundtrack, kbps (default DEFAULT_AUDIO_KBPS) */
  audioKbps?: number;
  output: string;
}

export interface RenderPlan {
  /** the subtitles as one transparent picture per cue (`cue-<i>.png` in the work folder), drawn before the parts, and the rows they cover */
  captions: { sheet: { path: string; content: string }; job: FfmpegJob; band: { y: number; height: number } } | null;
  /** video-only parts, in order; `seconds` is each part's length */
  parts: Part[];
  /** the pictures (by timeline segment) and the folder of cue pictures the parts' frames are drawn from */
  pictures: string[];
  workDir: string;
  /** how many parts run at once */
  processes: number;
  /** the soundtrack, run beside the parts: mixed, measured, then brought to -14 LUFS and encoded */
  audio: SoundtrackPlan;
  /** the concat list the join reads (write it before the join) */
  list: { path: string; content: string };
  /** parts and soundtrack joined into the output, without encoding again */
  join: FfmpegJob;
}

/**
 * The picture is cut into parts at frames inside scenes' own stretches (never in a crossfade), each part
 * rendered by its own ffmpeg with the same encoder settings, `processes` at a time; the parts and the
 * soundtrack (encoded beside them) are then joined without re-encoding. One ffmpeg cannot keep more than
 * about one and a half cores busy with this graph, so on a machine with more, parts finish sooner
 * together; and since a part holds only its own pictures, memory does not grow with the video's length.
 */
export function planRender(spec: RenderSpec): RenderPlan {
  const { timeline, width: w, height: h } = spec;
  if (timeline.segments.length === 0 || timeline.segments.length !== spec.pictures.length) throw new Error('render needs one picture per part of the timeline');
  const processes = Math.max(1, Math.floor(spec.processes));
  const sheet = spec.captions ? cueSheet(spec.captions) : null;
  const { parts, frames: total } = planParts(spec, processes, sheet);
  const fps = timeline.fps;
  const mixed = path.join(spec.workDir, 'soundtrack.wav');
  const audioFile = path.join(spec.workDir, 'soundtrack.m4a');
  const listFile = path.join(spec.workDir, 'parts.txt');
  const seconds = n(total / fps);
  return {
    captions: sheet && captionsPlan(sheet, w, h, spec.workDir),
    parts,
    pictures: spec.pictures,
    workDir: spec.workDir,
    processes,
    audio: planSoundtrack({ narrations: spec.narrations, timeline, music: spec.music, output: mixed, kbps: spec.audioKbps ?? DEFAULT_AUDIO_KBPS, seconds, encoded: audioFile }),
    // names only: the list sits beside the parts, so no path needs quoting
    // and each part's exact length, so the join places every part on a whole frame
    list: { path: listFile, content: `ffconcat version 1.0\n${parts.map((p, k) => `file part-${k}.mp4\nduration ${p.seconds.toFixed(6)}\n`).join('')}` },
    join: {
      inputs: [{ path: listFile, format: 'concat', options: ['-safe', '0'] }, { path: audioFile }],
      outputOptions: ['-map', '0:v', '-map', '1:a', '-c', 'copy', '-t', seconds, '-movflags', '+faststart'],
      output: spec.output,
    },
  };
}

/**
 * One ffmpeg draws every cue once with libass, on a transparent canvas at one frame per second (cue i at
 * second i of the sheet), and keeps only the band its ink stays in.
 */
function captionsPlan(sheet: CueSheet, w: number, h: number, workDir: string): NonNullable<RenderPlan['captions']> {
  const file = path.join(workDir, 'captions-sheet.ass');
  const count = Math.max(1, sheet.cues.length);
  return {
    band: sheet.band,
    sheet: { path: file, content: sheet.sheet },
    job: {
      // rgba inside the source's own graph: converted after it, the canvas would arrive opaque
      inputs: [{ path: `color=c=black@0:s=${w}x${h}:r=1:d=${count},format=rgba`, format: 'lavfi' }],
      filter: `[0:v]ass=filename=${escapeFilterValue(file)}:alpha=1,crop=${w}:${sheet.band.height}:0:${sheet.band.y}[out]`,
      outputOptions: ['-map', '[out]', '-frames:v', String(count), '-c:v', 'png', '-pix_fmt', 'rgba', '-start_number', '0'],
      output: path.join(workDir, 'cue-%d.png'),
    },
  };
}
