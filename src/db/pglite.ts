import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import { RuntimeError } from '../errors.js';
import type { Db, Queryable } from './types.js';

const parsers = { [types.INT8]: (v: string) => Number(v) };

interface LockInfo {
  pid: number;
  host: string;
  command: string;
  since: string;
}

function readLock(lockPath: string): LockInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? info : null;
  } catch {
    return null;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One process at a time may open the embedded database. The lock file names its owner, so the next
 * process can say who holds it; a lock left by a dead process on this host is taken over.
 */
export function acquireLock(lockPath: string): () => void {
  const mine: LockInfo = {
    pid: process.pid,
    host: os.hostname(),
    command: process.argv.slice(2).join(' ') || 'lost-archives',
    since: new Date().toISOString(),
  };
  for (let tries = 0; tries < 5; tries++) {
    try {
      fs.writeFileSync(lockPath, JSON.stringify(mine), { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const cur = readLock(lockPath);
        if (cur && cur.pid === mine.pid && cur.host === mine.host) fs.rmSync(lockPath, { force: true });
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const other = readLock(lockPath);
      if (!other) {
        // being written by another process right now, or left empty by a crash long ago
        const age = Date.now() - (fs.statSync(lockPath, { throwIfNoEntry: false })?.mtimeMs ?? 0);
        if (age < 5_000) {
          sleepSync(200);
          continue;
        }
      } else if (other.host !== mine.host || (other.pid !== mine.pid && alive(other.pid))) {
        const dir = path.dirname(lockPath);
        throw new RuntimeError(
          `the embedded database in ${dir} is in use by process ${other.pid} on ${other.host} ` +
            `("lost-archives ${other.command}", since ${other.since}). Only one process can open it at a time: ` +
            'stop that process, or to run several workers at once point them all at PostgreSQL with DATABASE_URL. ' +
            `If no such process exists any more, delete ${lockPath}.`,
        );
      }
      // the owner is gone (or it is our own pid from before a restart): move the stale lock aside
      // (only one process can rename it), check it was the stale one, and try to create ours again
      const aside = `${lockPath}.stale.${process.pid}`;
      try {
        fs.renameSync(lockPath, aside);
      } catch {
        continue;
      }
      const moved = readLock(aside);
      if (moved && (!other || moved.pid !== other.pid || moved.since !== other.since)) {
        // a live lock was created between our read and the rename: give it back
        try {
          fs.linkSync(aside, lockPath);
        } catch {
          /* someone holds the path again */
        }
      }
      fs.rmSync(aside, { force: true });
    }
  }
  throw new RuntimeError(`cannot lock the embedded database at ${lockPath}; remove the file if no lost-archives process is running`);
}

function wrap(q: { query: PGlite['query']; exec: PGlite['exec'] }): Queryable {
  return {
    async query<T>(text: string, values?: unknown[]) {
      const res = await q.query<T>(text, values as unknown[], { parsers });
      return res.rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  };
}

/** The embedded database: PGlite (PostgreSQL in WebAssembly) in `<dataDir>/db`, or in memory. */
export async function openPglite(dataDir: string | 'memory'): Promise<Db> {
  let release = () => {};
  let pg: PGlite;
  if (dataDir === 'memory') pg = await PGlite.create();
  else {
    fs.mkdirSync(dataDir, { recursive: true });
    release = acquireLock(path.join(dataDir, 'db.lock'));
    try {
      pg = await PGlite.create(path.join(dataDir, 'db'));
    } catch (err) {
      release();
      throw new RuntimeError(`cannot open the embedded database in ${dataDir}: ${(err as Error).message}`, { cause: err });
    }
  }
  const base = wrap(pg);
  return {
    kind: 'pglite',
    description: dataDir === 'memory' ? 'embedded PGlite (in memory)' : `embedded PGlite in ${dataDir}`,
    ...base,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    async listen(channel, onNotify) {
      const unlisten = await pg.listen(channel, onNotify);
      return () => unlisten();
    },
    async close() {
      if (!pg.closed) await pg.close();
      release();
    },
  };
}
