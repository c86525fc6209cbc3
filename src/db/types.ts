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

/** Query parameters of a connection string that hold secrets (`?password=`, `sslpassword=`, `sslkey=`...). */
const SECRET_PARAM = /([?&;](?:[^=&#]*(?:pass|secret|key|token)[^=&#]*)=)[^&#]*/gi;

/**
 * Masks every credential-looking part of a connection string for display, without trusting a URL
 * parser: a password may hold `/ ? # @ % :` or any character, and then `new URL` fails or reads it as
 * a path or a fragment. Everything between the first `:` after the user name and the LAST `@` is the
 * password (hosts hold no `@`), and secret-named query parameters are masked too. Text that is not a
 * URL (`host=... password=...`) has its `password=` values masked.
 */
export function maskUrl(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(url);
  if (!scheme) return url.replace(/(\bpass(?:word)?\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)/gi, '$1****');
  const [, prefix, rest] = scheme;
  const at = rest.lastIndexOf('@');
  let masked = rest;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    // no colon: a user name only, unless a slash, `?` or `#` shows the "name" runs into a password
    const user = colon >= 0 ? userinfo.slice(0, colon) : /[/?#]/.test(userinfo) ? '' : userinfo;
    masked = `${user}${colon >= 0 || user !== userinfo ? ':****' : ''}@${rest.slice(at + 1)}`;
  }
  return prefix + masked.replace(SECRET_PARAM, '$1****');
}
