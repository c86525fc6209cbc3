import { forTerminal } from '../control-chars.js';

/** Stored text for one cell or line of `status`: escaped for the terminal (src/control-chars.ts), then cut to `n` characters. */
export const cut = (raw: string | null | undefined, n = Infinity): string => {
  const s = forTerminal(raw ?? '');
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
};
