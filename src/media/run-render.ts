import fs from 'node:fs';
import path from 'node:path';
import { mapLimit } from '../concurrency.js';
import { cuePlanes } from './cue-planes.js';
import type { FfmpegJob, RunOptions } from './ffmpeg.js';
import { type FrameSources, writeFrames } from './frames.js';
import { cuePicture } from './parts.js';
import { plateFrame } from './plate.js';
import type { RenderPlan } from './render.js';
import { runSoundtrack } from './soundtrack.js';

/**
 * Runs a plan: the soundtrack (mix, measure, encode) beside the parts, `plan.processes` parts at a time
 * (one failure stops the rest), then the join. Nothing waits for the soundtrack but the join.
 */
export async function runRenderPlan(
  plan: RenderPlan,
  run: (job: FfmpegJob, opts: RunOptions) => Promise<string>,
  opts: { signal?: AbortSignal; onProgress?: (seconds: number) => void } = {},
): Promise<void> {
  const stop = new AbortController();
  const onAbort = () => stop.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const done = plan.parts.map(() => 0);
  // the first failure stops everything still running (its ffmpeg is killed), not only what has yet to start
  const failing = <T>(p: Promise<T>) =>
    p.catch((err) => {
      stop.abort(err);
      throw err;
    });
  try {
    await fs.promises.writeFile(plan.list.path, plan.list.content);
    const captions = async () => {
      if (!plan.captions) return;
      await fs.promises.writeFile(plan.captions.sheet.path, plan.captions.sheet.content);
      await run(plan.captions.job, { signal: stop.signal });
    };
    const parts = failing(captions()).then(() => mapLimit(
      plan.parts,
      plan.processes,
      (part, k) =>
        failing(
          renderPart(plan, k, run, {
            signal: stop.signal,
            onProgress: (seconds) => {
              done[k] = Math.min(seconds, part.seconds);
              opts.onProgress?.(done.reduce((a, b) => a + b, 0));
            },
          }),
        ),
      stop.signal,
    ));
    await Promise.all([parts, failing(runSoundtrack(plan.audio, run, stop.signal))]);
    if (stop.signal.aborted) throw stop.signal.reason;
    await run(plan.join, { signal: stop.signal });
    await removeIntermediates(plan);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** Once joined, the parts, the soundtrack and the cue pictures go: the render's folder holds the video, not its makings twice. */
async function removeIntermediates(plan: RenderPlan): Promise<void> {
  const cues = plan.captions ? (await fs.promises.readdir(plan.workDir)).filter((f) => /^cue-\d+\.png$/.test(f)).map((f) => path.join(plan.workDir, f)) : [];
  const files = [...plan.parts.map((p) => p.job.output), plan.list.path, plan.audio.mix.output, plan.join.inputs[1].path, ...cues, ...(plan.captions ? [plan.captions.sheet.path] : [])];
  await Promise.all(files.map((f) => fs.promises.rm(f, { force: true })));
}

/** Part k of a plan: its frames drawn here and written to its encoder (the captions' pictures must be drawn). */
export function renderPart(plan: RenderPlan, k: number, run: (job: FfmpegJob, opts: RunOptions) => Promise<string>, opts: { signal: AbortSignal; onProgress?: (seconds: number) => void }): Promise<string> {
  const part = plan.parts[k];
  return run(part.job, { ...opts, stdin: (input) => writeFrames(part.frames, frameSources(plan), input, opts.signal) });
}

/** Where a part's frames come from: each picture fitted by ffmpeg, each cue read from its picture. */
function frameSources(plan: RenderPlan): FrameSources {
  const f = plan.parts[0].frames;
  return {
    plate: (seg) => plateFrame(plan.pictures[seg], f.width, f.height),
    cue: (i) => cuePlanes(cuePicture(plan.workDir, i), f.width, plan.captions!.band.y),
  };
}
