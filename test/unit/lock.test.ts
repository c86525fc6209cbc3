import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/db/pglite.js';
import { tempDir } from '../helpers/services.js';

const lockFile = () => path.join(tempDir('la-lock-'), 'db.lock');
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('embedded database lock', () => {
  it('is exclusive while held and free once released', () => {
    const file = lockFile();
    const release = acquireLock(file);
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), pid: process.ppid }));
    expect(() => acquireLock(file)).toThrow(new RegExp(`in use by process ${process.ppid} on ${os.hostname()}.*DATABASE_URL.*delete`));
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), pid: process.pid }));
    release();
    expect(fs.existsSync(file)).toBe(false);
    acquireLock(file)();
  });

  it('takes over a lock left by a dead process, or by its own pid before a restart', () => {
    const file = lockFile();
    for (const pid of [deadPid(), process.pid]) {
      fs.writeFileSync(file, JSON.stringify({ pid, host: os.hostname(), command: 'run-worker', since: '2026-01-01T00:00:00Z' }));
      const release = acquireLock(file);
      expect(JSON.parse(fs.readFileSync(file, 'utf8')).pid).toBe(process.pid);
      release();
    }
  });

  it('refuses a lock held on another host, naming it', () => {
    const file = lockFile();
    fs.writeFileSync(file, JSON.stringify({ pid: 1, host: 'render-vm-2', command: 'run-worker', since: '2026-01-01T00:00:00Z' }));
    expect(() => acquireLock(file)).toThrow(/in use by process 1 on render-vm-2/);
  });

  it('treats an old empty lock file as stale', () => {
    const file = lockFile();
    fs.writeFileSync(file, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    acquireLock(file)();
  });
});
