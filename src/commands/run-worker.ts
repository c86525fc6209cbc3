import { UsageError } from '../errors.js';
import { defaultWorkerName, runWorker } from '../queue/worker.js';
import { claimWorkerScratch } from '../scratch.js';
import { JOB_TYPES, PIPELINE } from '../stages/index.js';
import type { JobType } from '../types.js';
import { type GlobalOptions, printJson, stopSignal, withServices } from './common.js';

export interface RunWorkerOptions {
  type?: string[];
  concurrency?: string;
  once?: boolean;
  name?: string;
  json?: boolean;
}

/** `run-worker`: poll the jobs table and run stages until stopped (or until idle with --once). */
export async function runWorkerCommand(g: GlobalOptions, opts: RunWorkerOptions): Promise<void> {
  const types = (opts.type ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  for (const t of types) {
    if (!JOB_TYPES.includes(t as JobType)) throw new UsageError(`unknown job type "${t}"; job types are ${JOB_TYPES.join(', ')}`);
  }
  const concurrency = Number(opts.concurrency ?? 1);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency must be a whole number from 1 to 64');
  const name = opts.name ?? defaultWorkerName();
  if (!/^[\w.@:-]{1,100}$/.test(name)) throw new UsageError('--name may use letters, digits and . _ - @ : (at most 100 characters)');
  await withServices(g, { logLevel: 'info', announce: true, preflight: types.length ? (types as JobType[]) : JOB_TYPES }, async (s) => {
    // what a worker of this name killed with SIGKILL left running or behind goes first
    const releaseScratch = claimWorkerScratch(name, s.logger);
    try {
      const stop = stopSignal((sig) => s.logger.info(`received ${sig}`));
      const summary = await runWorker(s, { types: types as JobType[], concurrency, once: !!opts.once, name, pipeline: PIPELINE, stop });
      if (opts.json) printJson(summary);
    } finally {
      releaseScratch();
    }
  });
}
