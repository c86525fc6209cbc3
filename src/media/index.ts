import { probe, runFfmpeg } from './ffmpeg.js';

/** The media toolbox handed to stages (one seam, so a test or another backend can stand in). */
export interface Media {
  run: typeof runFfmpeg;
  probe: typeof probe;
}

export function buildMedia(): Media {
  return { run: runFfmpeg, probe };
}
