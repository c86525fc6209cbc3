import { afterAll, afterEach, beforeEach } from 'vitest';
import { reapChildren, setScope } from './children.js';

// every test file: the processes a test started are killed and reaped before the next test, even when it
// failed; those started in beforeAll live until the file is done
beforeEach(() => setScope('test'));
afterEach(async () => {
  await reapChildren('test');
  setScope('file');
});
afterAll(() => reapChildren('file'));
