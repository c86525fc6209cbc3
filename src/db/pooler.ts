/**
 * Whether a PostgreSQL URL goes through a transaction-mode pooler (Supabase's pooler on port 6543, or
 * any PgBouncer marked `pgbouncer=true`). There, a connection is lent per transaction: LISTEN/NOTIFY
 * and other session state do not survive, so workers must poll. Returns why, or null.
 */
export function transactionPooler(url: string | undefined): string | null {
  if (!url) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.searchParams.get('pgbouncer') === 'true') return 'the URL says pgbouncer=true';
  if (/\.pooler\.supabase\.com$/i.test(u.hostname) && u.port === '6543') return "Supabase's transaction pooler (port 6543)";
  return null;
}

/** What to tell an operator whose workers are on a transaction pooler. */
export const POOLER_ADVICE =
  "LISTEN/NOTIFY does not survive it, so workers poll (every queue.pollSeconds); for long-lived workers use the direct connection string or Supabase's session pooler (same host, port 5432)";
