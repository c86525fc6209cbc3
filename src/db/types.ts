/** The one seam between the tool and its database: PostgreSQL and PGlite are adapters behind it. */
export interface Queryable {
  /** One statement with `$n` parameters; rows come back as plain objects. */
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Where it points, with any password masked. */
  readonly description: string;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * LISTEN on a channel. `onReconnect` runs after a lost listening connection is back, so the caller
   * can fetch what it missed. Returns a function that stops listening.
   */
  listen(channel: string, onNotify: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Masks the password of a connection string for display. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':****@');
  }
}
