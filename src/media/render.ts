import { escapeFilterValue } from './subtitles.js';
import type { FfmpegJob } from './ffmpeg.js';
import { FONT_SERIF_BOLD } from './fonts.js';
import type { Timeline } from './timeline.js';

/**
 * The render graph, as data: one ffmpeg run that pans slowly over every still (a cheap Ken Burns move:
 * a moving crop of a slightly enlarged still), crossfades between scenes, burns subtitles, places each
 * narration clip at its scene's narration start and normalises loudness to -14 LUFS.
 */

export interface RenderSpec {
  stills: string[];
  narrations: string[];
  timeline: Timeline;
  width: number;
  height: number;
  /** ASS file to burn in, or null */
  subtitles: string | null;
  preset: string;
  output: string;
}

const n = (x: number) => Number(x.toFixed(3)).toString();

export function buildRenderJob(spec: RenderSpec): FfmpegJob {
  const { timeline, width: w, height: h } = spec;
  const fps = timeline.fps;
  const count = spec.stills.length;
  if (count === 0 || count !== spec.narrations.length || count !== timeline.scenes.length) {
    throw new Error('render needs one still and one narration per scene of the timeline');
  }
  const inputs = [
    ...spec.stills.map((path, i) => ({
      path,
      options: ['-loop', '1', '-framerate', String(fps), '-t', n(timeline.scenes[i].length)],
    })),
    ...spec.narrations.map((path) => ({ path })),
  ];
  const zoom = 1.12;
  const bw = Math.ceil((w * zoom) / 2) * 2;
  const bh = Math.ceil((h * zoom) / 2) * 2;
  const chains: string[] = [];
  timeline.scenes.forEach((s, i) => {
    // alternate the direction of the move from scene to scene
    const dir = i % 4;
    const p = `(t/${n(s.length)})`;
    const x = dir === 0 || dir === 3 ? `(iw-ow)*${p}` : `(iw-ow)*(1-${p})`;
    const y = dir < 2 ? `(ih-oh)*${p}` : `(ih-oh)*(1-${p})`;
    chains.push(
      `[${i}:v]scale=${bw}:${bh}:force_original_aspect_ratio=increase,crop=${bw}:${bh},` +
        `crop=${w}:${h}:x='${x}':y='${y}',setsar=1,fps=${fps},format=yuv420p[v${i}]`,
    );
  });
  let last = 'v0';
  for (let i = 1; i < count; i++) {
    const out = `x${i}`;
    chains.push(`[${last}][v${i}]xfade=transition=fade:duration=${n(timeline.transition)}:offset=${n(timeline.scenes[i].start)}[${out}]`);
    last = out;
  }
  const burn = spec.subtitles ? `ass=filename=${escapeFilterValue(spec.subtitles)},` : '';
  chains.push(`[${last}]${burn}format=yuv420p[vout]`);

  timeline.scenes.forEach((s, i) => {
    const ms = Math.round(s.narrationStart * 1000);
    chains.push(`[${count + i}:a]aresample=48000,aformat=channel_layouts=stereo,adelay=delays=${ms}:all=1[a${i}]`);
  });
  const mix = timeline.scenes.map((_, i) => `[a${i}]`).join('');
  chains.push(
    `${mix}amix=inputs=${count}:normalize=0:duration=longest,apad=whole_dur=${n(timeline.total)},` +
      `atrim=0:${n(timeline.total)},loudnorm=I=-14:TP=-1.5:LRA=11,aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[aout]`,
  );

  return {
    inputs,
    filter: chains.join(';'),
    outputOptions: [
      '-map', '[vout]', '-map', '[aout]',
      '-c:v', 'libx264', '-profile:v', 'high', '-preset', spec.preset, '-crf', '21', '-pix_fmt', 'yuv420p', '-r', String(fps),
      '-c:a', 'aac', '-b:a', '192k', '-ar', '48000',
      '-t', n(timeline.total),
      '-movflags', '+faststart',
    ],
    output: spec.output,
  };
}

/** A 1280x720 JPEG thumbnail: the first still with the video's headline. */
export function buildThumbnailJob(still: string, headlineFile: string, output: string): FfmpegJob {
  return {
    inputs: [{ path: still }],
    filter:
      `[0:v]scale=1280:720:force_original_aspect_ratio=increase,crop=1280:720,` +
      `drawbox=x=0:y=ih*0.70:w=iw:h=ih*0.30:color=black@0.55:t=fill,` +
      `drawtext=fontfile=${escapeFilterValue(FONT_SERIF_BOLD)}:textfile=${escapeFilterValue(headlineFile)}:expansion=none:` +
      `fontsize=54:fontcolor=0xf5e6c8:line_spacing=8:x=(w-text_w)/2:y=h*0.85-text_h/2[out]`,
    outputOptions: ['-map', '[out]', '-frames:v', '1', '-q:v', '3', '-update', '1'],
    output,
  };
}
