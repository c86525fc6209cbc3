import { buildReview } from '../review/index.js';
import { printReview } from '../review/print.js';
import { type GlobalOptions, printJson, withServices } from './common.js';

/** `review ID`: everything the upload will send, the files, the render's check, cost and history. */
export async function review(g: GlobalOptions, id: string, opts: { json?: boolean }): Promise<void> {
  await withServices(g, { logLevel: 'warn' }, async (s) => {
    const r = await buildReview(s, id);
    if (opts.json) printJson(r);
    else process.stdout.write(printReview(r));
  });
}
