import Table from 'cli-table3';
import { cut } from './cell.js';
import type { Job } from '../types.js';

/** A distributed render's parts (the newest plan's): how many are done, and which worker has each. */
export interface PartsSummary {
  done: number;
  total: number;
  parts: { part: number; status: string; worker: string | null; attempts: number; error: string | null }[];
}

export function partsSummary(jobs: Job[]): PartsSummary | null {
  const partJobs = jobs.filter((j) => j.type === 'render_part' && j.payload);
  const newest = partJobs.at(-1);
  if (!newest) return null;
  const plan = newest.payload!.plan;
  const total = Number(newest.payload!.parts);
  const parts = Array.from({ length: total }, (_, k) => {
    const j = partJobs.filter((p) => p.payload!.plan === plan && p.payload!.part === k).at(-1);
    return { part: k + 1, status: j?.status ?? '-', worker: j?.locked_by ?? null, attempts: j?.attempts ?? 0, error: j?.last_error ?? null };
  });
  return { done: parts.filter((p) => p.status === 'completed').length, total, parts };
}

/** Lines for `status ID`: nothing unless the story's render was spread over workers. */
export function partsLines(jobs: Job[]): string[] {
  const s = partsSummary(jobs);
  if (!s) return [];
  const t = new Table({ head: ['part', 'state', 'attempts', 'worker', 'error'], style: { head: [], border: [] } });
  for (const p of s.parts) t.push([p.part, p.status, p.attempts, cut(p.worker), cut(p.error, 50)]);
  return ['', `render parts: ${s.done} of ${s.total} done`, t.toString()];
}
