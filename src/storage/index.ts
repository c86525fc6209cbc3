import path from 'node:path';
import type { LoadedConfig } from '../config.js';
import { PermanentError } from '../errors.js';
import { localStorage } from './local.js';
import { supabaseEnv } from './supabase-env.js';
import { type SupabaseStorageOptions, supabaseStorage } from './supabase.js';
import type { Storage } from './types.js';

/** The configured storage; Supabase credentials come from the environment only. */
export function buildStorage(config: LoadedConfig, env: NodeJS.ProcessEnv = process.env): Storage {
  const s = config.storage;
  if (s.kind === 'local') return localStorage(path.join(config.dataDir, 'storage'), { sharedDatabase: !!config.database.url });
  const creds = supabaseEnv(env);
  if ('missing' in creds) return unavailable(`storage is supabase but ${creds.missing}: ${creds.fix}`);
  return supabaseFromConfig(config, creds);
}

/** Storage that cannot work (credentials missing): commands that never touch it still run; every use says why. */
function unavailable(message: string): Storage {
  const fail = async (): Promise<never> => {
    throw new PermanentError(message);
  };
  return { kind: 'supabase', description: message, put: fail, exists: fail, localPath: fail, url: fail, removePrefix: fail, dropLocalCopies: async () => {} };
}

/** Supabase Storage as the config describes it, with these credentials. */
export function supabaseFromConfig(config: LoadedConfig, creds: { url: string; serviceRoleKey: string }, extra: Partial<SupabaseStorageOptions> = {}) {
  const s = config.storage;
  if (s.kind !== 'supabase') throw new Error('storage is not supabase');
  return supabaseStorage({
    ...creds,
    bucket: s.bucket,
    public: s.public,
    signedUrlSeconds: s.signedUrlSeconds,
    resumableAboveBytes: s.resumableAboveMB * 1024 * 1024,
    cacheDir: path.join(config.dataDir, 'storage-cache'),
    ...extra,
  });
}
