import crypto from 'node:crypto';

/**
 * How Supabase Storage reads the key in `Authorization: Bearer`: a JWT signed with the project's secret.
 * A string that is no JWT fails with jose's "Invalid Compact JWS", one signed by another project with
 * "signature verification failed"; a good one acts as its `role` (anon: row-level security hides private
 * buckets). Read routes (object download, info, HEAD) let a bad key through as anon.
 */

export type Caller = { role: string } | { invalid: string };

const b64 = (v: object | Buffer) => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');

/** A key as Supabase issues them: an HS256 JWT with `role`, signed with the project's secret. */
export function signKey(secret: string, role: string): string {
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iss: 'supabase', ref: 'fakeproject', role, iat: 1_700_000_000, exp: 4_000_000_000 })}`;
  return `${head}.${b64(crypto.createHmac('sha256', secret).update(head).digest())}`;
}

/** Who the bearer is: `serviceKey` itself (a test's plain string) is the service role. */
export function identify(authorization: string | undefined, serviceKey: string, secret: string): Caller {
  const token = (authorization ?? '').replace(/^Bearer\s+/i, '');
  if (token === serviceKey) return { role: 'service_role' };
  const parts = token.split('.');
  let payload: { role?: string } | null = null;
  try {
    if (parts.length === 3) payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    payload = null;
  }
  if (!payload || typeof payload !== 'object') return { invalid: 'Invalid Compact JWS' };
  const signature = crypto.createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== signature.length || !crypto.timingSafeEqual(given, signature)) return { invalid: 'signature verification failed' };
  return { role: payload.role ?? 'anon' };
}
