#!/usr/bin/env node
// The last-resort handler: anything that escapes src/cli.ts is a bug, reported in one line (stack with DEBUG).
process.on('unhandledRejection', (err) => {
  process.stderr.write(`lost-archives: internal error: ${err instanceof Error ? (process.env.DEBUG ? err.stack : err.message) : String(err)}\n`);
  process.exit(1);
});

const { main } = await import('../src/cli.js');
const code = await main(process.argv);
process.exit(code);
