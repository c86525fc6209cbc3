import { buildReview } from '../review/index.js';
import { printReview } from '../review/print.js';
import { remakeContactSheet } from '../review/remake-sheet.js';
import { type GlobalOptions, printJson, withServices } from './common.js';

/**
 * `review ID`: everything the upload will send, the files, the render's check, cost, history, the
 * contact sheet, repetition and research findings. `--sheet` makes the contact sheet again first
 * (from the stored video) and prints where it is.
 */
export async function review(g: GlobalOptions, id: string, opts: { json?: boolean; sheet?: boolean }): Promise<void> {
  await withServices(g, { logLevel: 'warn' }, async (s) => {
    const sheet = opts.sheet ? await remakeContactSheet(s, id) : null;
    const r = await buildReview(s, id);
    if (opts.json) printJson(sheet ? { ...r, sheet_file: sheet.path } : r);
    else process.stdout.write(printReview(r) + (sheet ? `\ncontact sheet made again: ${sheet.path}\n` : ''));
  });
}
