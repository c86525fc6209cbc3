import { approveStory, rejectStory } from '../approval/index.js';
import { PIPELINE } from '../stages/index.js';
import { type GlobalOptions, printJson, withServices } from './common.js';

/** `approve ID`: let the held upload go (with its calendar slot, if the calendar is on). */
export async function approve(g: GlobalOptions, id: string, opts: { note?: string; json?: boolean }): Promise<void> {
  await withServices(g, { logLevel: 'warn' }, async (s) => {
    const r = await approveStory(s, id, opts.note);
    if (opts.json) printJson(r);
    else process.stdout.write(`story ${r.story_id} approved: upload queued${r.slot ? `, publishing at ${r.slot.toISOString()}` : ''}\n`);
  });
}

/** `reject ID --from STAGE [--note TEXT]`: send a held story back to a stage, the note kept in its history. */
export async function reject(g: GlobalOptions, id: string, opts: { from: string; note?: string; json?: boolean }): Promise<void> {
  await withServices(g, { logLevel: 'warn' }, async (s) => {
    const r = await rejectStory(s, PIPELINE, id, opts.from, opts.note);
    if (opts.json) printJson(r);
    else process.stdout.write(`story ${r.story_id} rejected: queued again at ${r.stage}\n`);
  });
}
