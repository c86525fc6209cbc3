import { afterEach } from 'vitest';
import { reapChildren } from './children.js';

// every test file: the processes a test started are killed and reaped before the next test, even when it failed
afterEach(reapChildren);
