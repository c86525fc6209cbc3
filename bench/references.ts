/**
 * What the render is compared with, as ffmpeg jobs:
 *   content floor: x264 and AAC encoding exactly the frames and samples the render output, read raw from
 *     disk (decoded once from the render's own video), with the render's own encoder options: the encoders'
 *     work alone, with the motion, the subtitles and the crossfades already in the pictures;
 *   still floor: x264 encoding the same number of frames of one still (decoded once);
 *   pan floor: the same still panned in whole pixels (a moving crop of a 1.12x enlargement), as renders
 *     before the sub-pixel move did;
 *   naive: one graph with zoompan on every input and xfade between them (the usual way to write a Ken Burns render).
 */
import type { FfmpegJob } from '../src/media/ffmpeg.js';
import type { Workload } from './workload.js';
import { FPS, H, W } from './workload.js';

/** The render's output decoded to raw 4:2:0 frames and raw 48 kHz stereo samples. */
export function decodeJobs(video: string, frames: string, samples: string): FfmpegJob[] {
  return [
    { inputs: [{ path: video }], outputOptions: ['-map', '0:v', '-f', 'rawvideo', '-pix_fmt', 'yuv420p'], output: frames },
    { inputs: [{ path: video }], outputOptions: ['-map', '0:a', '-f', 'f32le', '-ar', '48000', '-ac', '2'], output: samples },
  ];
}

export function contentFloorJob(frames: string, samples: string, video: string[], audio: string[], out: string): FfmpegJob {
  return {
    inputs: [
      { path: frames, format: 'rawvideo', options: ['-pix_fmt', 'yuv420p', '-s', `${W}x${H}`, '-r', String(FPS)] },
      { path: samples, format: 'f32le', options: ['-ar', '48000', '-ac', '2'] },
    ],
    outputOptions: ['-map', '0:v', '-map', '1:a', ...video, ...audio, '-movflags', '+faststart'],
    output: out,
  };
}

export function stillFloorJob(still: string, frames: number, video: string[], out: string): FfmpegJob {
  return {
    inputs: [{ path: still }],
    filter: `[0:v]format=yuv420p,loop=loop=${frames - 1}:size=1:start=0,setpts=N/(${FPS}*TB)[out]`,
    outputOptions: ['-map', '[out]', ...video],
    output: out,
  };
}

export function panFloorJob(still: string, frames: number, sceneSeconds: number, video: string[], out: string): FfmpegJob {
  const bw = Math.ceil((W * 1.12) / 2) * 2;
  const bh = Math.ceil((H * 1.12) / 2) * 2;
  const p = `(mod(t,${sceneSeconds.toFixed(3)})/${sceneSeconds.toFixed(3)})`;
  return {
    inputs: [{ path: still }],
    filter:
      `[0:v]scale=${bw}:${bh},format=yuv420p,loop=loop=${frames - 1}:size=1:start=0,setpts=N/(${FPS}*TB),` +
      `crop=${W}:${H}:x='(iw-ow)*${p}':y='(ih-oh)*${p}':exact=1[out]`,
    outputOptions: ['-map', '[out]', ...video],
    output: out,
  };
}

export function naiveJob(w: Workload, video: string[], out: string): FfmpegJob {
  const parts = w.timeline.segments;
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
    inputs: w.pictures.map((p) => ({ path: p })),
    filter: chains.join(';'),
    outputOptions: ['-map', '[vout]', ...video, '-t', w.timeline.total.toFixed(3)],
    output: out,
  };
}
