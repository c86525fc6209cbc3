/** A small structured logger: one line per event on stderr, as text for people or JSON for machines. */
import { forTerminal } from './control-chars.js';
export type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const rank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger whose lines all carry these fields (e.g. `{ stage, jobId }`). */
  child(fields: Fields): Logger;
}

export interface LoggerOptions {
  level?: Level;
  json?: boolean;
  write?: (line: string) => void;
}

function fmt(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === 'string') return /[\s"=]/.test(v) ? forTerminal(JSON.stringify(v)) : forTerminal(v);
  return forTerminal(JSON.stringify(v) ?? String(v));
}

export function createLogger(opts: LoggerOptions = {}, bindings: Fields = {}): Logger {
  const level = opts.level ?? 'info';
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (lvl: Level, msg: string, fields?: Fields) => {
    if (rank[lvl] < rank[level]) return;
    const all = { ...bindings, ...fields };
    if (opts.json) {
      const plain = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v instanceof Error ? v.message : v]));
      write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...plain }));
      return;
    }
    const tail = Object.entries(all)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${fmt(v)}`)
      .join(' ');
    write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${forTerminal(msg)}${tail ? ' ' + tail : ''}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(opts, { ...bindings, ...fields }),
  };
}

export const silentLogger: Logger = createLogger({ level: 'silent' });
