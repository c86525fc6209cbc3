import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** CLI and worker tests spawn the real bin from dist/: build it once before any test file runs. */
export default function setup() {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
}
