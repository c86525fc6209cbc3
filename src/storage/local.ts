import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PermanentError } from '../errors.js';
import type { Storage } from './types.js';

/** Files under one folder. Shared by workers on one machine (or a shared mount), not across machines. */
export function localStorage(root: string, opts: { sharedDatabase?: boolean } = {}): Storage {
  const full = (key: string) => {
    const p = path.resolve(root, key);
    if (!p.startsWith(path.resolve(root) + path.sep)) throw new Error(`storage key escapes the storage folder: ${key}`);
    return p;
  };
  return {
    kind: 'local',
    description: `local folder ${root}`,
    async put(key, source, _contentType) {
      const dest = full(key);
      await fs.promises.mkdir(path.dirname(dest), { recursive: true });
      const tmp = `${dest}.${process.pid}.${Date.now()}.tmp`;
      if (Buffer.isBuffer(source)) await fs.promises.writeFile(tmp, source);
      else await fs.promises.copyFile(source.file, tmp);
      await fs.promises.rename(tmp, dest);
      const { size } = await fs.promises.stat(dest);
      return { url: pathToFileURL(dest).href, bytes: size };
    },
    async exists(key) {
      return fs.existsSync(full(key));
    },
    async localPath(key) {
      const p = full(key);
      if (!fs.existsSync(p)) {
        const shared = opts.sharedDatabase
          ? ' The database is shared (PostgreSQL), so another machine may have made it: local storage is not shared between machines; use `storage: { kind: \'supabase\', ... }` or a folder every worker mounts as dataDir.'
          : ' Retry the story from the stage that makes it.';
        throw new PermanentError(`stored file ${key} is missing from local storage: no ${p}.${shared}`);
      }
      return p;
    },
    url: async (key) => pathToFileURL(full(key)).href,
    // the files are the storage itself: nothing to free
    async dropLocalCopies() {},
    async removePrefix(prefix) {
      await fs.promises.rm(full(prefix), { recursive: true, force: true });
    },
  };
}
