import { createHash, timingSafeEqual } from 'node:crypto';
import net from 'node:net';

/** The environment variable that holds the API keys, comma-separated. */
export const API_KEYS_ENV = 'LOST_ARCHIVES_API_KEYS';

/** The keys from `LOST_ARCHIVES_API_KEYS` (comma-separated; blanks ignored). */
export function parseApiKeys(value: string | undefined): string[] {
  return (value ?? '').split(',').map((k) => k.trim()).filter(Boolean);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Returns a check of an `Authorization` header that answers which key it carries (its 1-based position
 * in the list, for logs and rate limits: never the key itself), or null. Keys are compared as SHA-256
 * digests with `timingSafeEqual`, so neither a key's content nor its length leaks through timing; every
 * key is compared, so neither does its position.
 */
export function bearerCheck(keys: readonly string[]): (header: string | undefined) => number | null {
  const digests = keys.map(digest);
  return (header) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m) return null;
    const given = digest(m[1]);
    let found: number | null = null;
    digests.forEach((d, i) => {
      if (timingSafeEqual(d, given) && found === null) found = i + 1;
    });
    return found;
  };
}

/** Whether a listen address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (net.isIPv6(bare)) return bare === '::1' || /^::ffff:127\./i.test(bare);
  return false;
}
