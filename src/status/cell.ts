import { forTerminal } from '../control-chars.js';

/** Stored text for one cell or line of `status`: escaped for the terminal (src/control-chars.ts), then cut to `n` characters. */
export const cut = (raw: string | null | undefined, n = Infinity): string => {
  const s = forTerminal(raw ?? '');
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
};

/** US dollars as `status` and `review` show them: cents, or four places under a cent. */
export function money(usd: number): string {
  return usd > 0 && usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}
