import { execFile } from 'node:child_process';
import ffmpeg from 'fluent-ffmpeg';
import { PermanentError, RuntimeError } from '../errors.js';

/**
 * The only module that touches fluent-ffmpeg (unmaintained upstream: replace it here, in one place).
 * Arguments always go to ffmpeg as an array; no shell is involved.
 */

export interface FfmpegInput {
  path: string;
  /** options placed before `-i`, e.g. ['-loop', '1', '-t', '5'] */
  options?: string[];
  /** input format, e.g. 'lavfi' */
  format?: string;
}

export interface FfmpegJob {
  inputs: FfmpegInput[];
  /** a -filter_complex graph */
  filter?: string;
  outputOptions: string[];
  output: string;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** seconds of output written so far (from ffmpeg's own progress lines) */
  onProgress?: (seconds: number) => void;
  /** how many of ffmpeg's last stderr lines to resolve with (default 60; detection filters print more) */
  lines?: number;
}

function timemarkToSeconds(mark: string): number {
  const m = /^(-?\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(mark);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : 0;
}

/** Runs ffmpeg; resolves with the last lines it wrote to stderr (where filters such as loudnorm report). */
export function runFfmpeg(job: FfmpegJob, opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const cmd = ffmpeg();
    for (const input of job.inputs) {
      cmd.input(input.path);
      if (input.format) cmd.inputFormat(input.format);
      if (input.options?.length) cmd.inputOptions(input.options);
    }
    if (job.filter) cmd.complexFilter(job.filter);
    cmd.outputOptions(['-y', '-hide_banner', '-nostdin', ...job.outputOptions]).output(job.output);
    const tail: string[] = [];
    cmd.on('stderr', (line: string) => {
      tail.push(line);
      if (tail.length > (opts.lines ?? 60)) tail.shift();
    });
    cmd.on('progress', (p: { timemark?: string }) => {
      if (p.timemark) opts.onProgress?.(timemarkToSeconds(p.timemark));
    });
    const onAbort = () => cmd.kill('SIGKILL');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    cmd.on('end', () => {
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(tail.join('\n'));
    });
    cmd.on('error', (err: Error) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) return reject(opts.signal.reason);
      if (/Cannot find ffmpeg|ENOENT/.test(err.message)) return reject(missingFfmpeg());
      const detail = tail.filter((l) => !/^\s*(frame=|size=|Stream mapping|Press \[q\])/.test(l)).slice(-8).join('\n');
      reject(new RuntimeError(`ffmpeg failed writing ${job.output}: ${err.message.split('\n')[0]}\n${detail}`));
    });
    if (opts.signal?.aborted) return reject(opts.signal.reason);
    cmd.run();
  });
}

export interface ProbeResult {
  duration: number;
  streams: {
    codec_type?: string; codec_name?: string; profile?: string; width?: number; height?: number; r_frame_rate?: string;
    sample_rate?: number | string; channels?: number; pix_fmt?: string; duration?: number | string;
  }[];
  format: { format_name?: string; size?: number };
}

export function probe(file: string): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(file, (err: Error | null, data: ffmpeg.FfprobeData) => {
      if (err) return reject(/ENOENT|Cannot find ffprobe/.test(err.message) ? missingFfmpeg() : new RuntimeError(`ffprobe cannot read ${file}: ${err.message}`));
      resolve({
        duration: Number(data.format.duration ?? 0),
        streams: data.streams as ProbeResult['streams'],
        format: { format_name: data.format.format_name, size: Number(data.format.size ?? 0) },
      });
    });
  });
}

export const FFMPEG_INSTALL_HINT =
  'install ffmpeg (Debian/Ubuntu: `sudo apt-get install ffmpeg`; macOS: `brew install ffmpeg`) or set FFMPEG_PATH/FFPROBE_PATH';

export function missingFfmpeg(): PermanentError {
  return new PermanentError(`ffmpeg/ffprobe not found: ${FFMPEG_INSTALL_HINT}`);
}

/** First line of `<binary> -version`, or null when it is not installed. */
export function binaryVersion(bin: string, args = ['-version']): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err && !stdout) return resolve(null);
      resolve((stdout || stderr).split('\n')[0].trim() || null);
    });
  });
}

export const ffmpegBinary = () => process.env.FFMPEG_PATH || 'ffmpeg';
export const ffprobeBinary = () => process.env.FFPROBE_PATH || 'ffprobe';
