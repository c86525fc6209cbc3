import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

it('embeds the module built from assembly/warp.ts (npm run build:wasm after changing it)', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  // exits 1 and says so when src/media/warp-wasm.ts is not this source's build
  expect(() => execFileSync(process.execPath, [path.join(root, 'scripts/build-wasm.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
}, 60_000);
