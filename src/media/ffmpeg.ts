import type { Writable } from 'node:stream';
import { spawnChild } from '../child-processes.js';
import { PermanentError, RuntimeError } from '../errors.js';

/**
 * The only module that runs ffmpeg and ffprobe: argument arrays, no shell, each in its own process
 * group (see child-processes.ts), stopped when the job's AbortSignal fires.
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
  /** writes ffmpeg's input (a job reading `pipe:0`); ffmpeg is stopped if it fails */
  stdin?: (input: Writable) => Promise<void>;
  /** receives ffmpeg's output (a job writing `pipe:1`) */
  stdout?: (chunk: Buffer) => void;
}

/** The command line for one job (pure). */
export function ffmpegArgs(job: FfmpegJob): string[] {
  const inputs = job.inputs.flatMap((i) => [...(i.format ? ['-f', i.format] : []), ...(i.options ?? []), '-i', i.path]);
  const filter = job.filter ? ['-filter_complex', job.filter] : [];
  return [...inputs, ...filter, '-y', '-hide_banner', '-nostdin', ...job.outputOptions, job.output];
}

function timemarkToSeconds(mark: string): number {
  const m = /^(-?\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(mark);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : 0;
}

/** Runs ffmpeg; resolves with the last lines it wrote to stderr (where filters such as loudnorm report). */
export function runFfmpeg(job: FfmpegJob, opts: RunOptions = {}): Promise<string> {
  const { signal } = opts;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const child = spawnChild(ffmpegBinary(), ffmpegArgs(job), signal);
    const tail: string[] = [];
    let partial = '';
    child.stderr.setEncoding('utf8');
    // progress lines end in \r, everything else in \n
    child.stderr.on('data', (chunk: string) => {
      const lines = (partial + chunk).split(/\r\n|\r|\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > (opts.lines ?? 60)) tail.shift();
        const time = / time=\s*(-?\d+:\d+:\d+(?:\.\d+)?)/.exec(line);
        if (time) opts.onProgress?.(timemarkToSeconds(time[1]));
      }
    });
    if (opts.stdout) child.stdout.on('data', opts.stdout);
    else child.stdout.resume();
    // what went wrong writing ffmpeg's input (not a closed pipe: ffmpeg's own exit says why it stopped reading)
    let feedError: unknown = null;
    if (opts.stdin) {
      child.stdin.on('error', () => {});
      opts.stdin(child.stdin).then(
        () => child.stdin.end(),
        (err: NodeJS.ErrnoException) => {
          if (err?.code === 'EPIPE' || err?.code === 'ERR_STREAM_DESTROYED') return;
          feedError = err;
          child.kill('SIGKILL');
        },
      );
    }
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? missingFfmpeg() : new RuntimeError(`cannot start ffmpeg: ${err.message}`)));
    child.on('close', (code, sig) => {
      if (partial) tail.push(partial);
      if (feedError) return reject(feedError);
      if (code === 0) return resolve(tail.join('\n'));
      if (signal?.aborted) return reject(signal.reason);
      const detail = tail.filter((l) => l.trim() && !/^\s*(frame=|size=|Stream mapping|Press \[q\])/.test(l)).slice(-8).join('\n');
      reject(new RuntimeError(`ffmpeg failed writing ${job.output}: ${code === null ? `killed by ${sig}` : `exit code ${code}`}\n${detail}`));
    });
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

export function probe(file: string, signal?: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawnChild(ffprobeBinary(), ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file], signal);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? missingFfmpeg() : new RuntimeError(`cannot start ffprobe: ${e.message}`)));
    child.on('close', (code) => {
      if (signal?.aborted) return reject(signal.reason);
      if (code !== 0) return reject(new RuntimeError(`ffprobe cannot read ${file}: ${err.trim() || `exit code ${code}`}`));
      let data: { streams?: ProbeResult['streams']; format?: { duration?: string; format_name?: string; size?: string } };
      try {
        data = JSON.parse(out);
      } catch {
        return reject(new RuntimeError(`ffprobe cannot read ${file}: its answer is not JSON`));
      }
      resolve({
        duration: Number(data.format?.duration ?? 0),
        streams: (data.streams ?? []).map((st) => ({ ...st, sample_rate: st.sample_rate === undefined ? undefined : Number(st.sample_rate) })),
        format: { format_name: data.format?.format_name, size: Number(data.format?.size ?? 0) },
      });
    });
  });
}

export const FFMPEG_INSTALL_HINT =
  'install ffmpeg (Debian/Ubuntu: `sudo apt-get install ffmpeg`; macOS: `brew install ffmpeg`) or set FFMPEG_PATH/FFPROBE_PATH';

export function missingFfmpeg(): PermanentError {
  return new PermanentError(`ffmpeg/ffprobe not found: ${FFMPEG_INSTALL_HINT}`);
}

/** First line of `<binary> -version`, or null when it is not installed (or does not answer in 10 s). */
export function binaryVersion(bin: string, args = ['-version']): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawnChild(bin, args, AbortSignal.timeout(10_000));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code !== 0 && !stdout ? null : (stdout || stderr).split('\n')[0].trim() || null));
  });
}

export const ffmpegBinary = () => process.env.FFMPEG_PATH || 'ffmpeg';
export const ffprobeBinary = () => process.env.FFPROBE_PATH || 'ffprobe';
