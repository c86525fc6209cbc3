import fs from 'node:fs';

/** Line and column (1-based) of a character offset in a file's text. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

const indent = (frame: string) => frame.replace(/^\n+|\s+$/g, '').split('\n').map((l) => `  ${l}`).join('\n');

/**
 * The parser's whole reason for refusing a config file, as `FILE:LINE:COLUMN: reason` followed by the
 * lines around it. cosmiconfig's JSON and YAML errors put the reason after a blank line (the first
 * line says only "JSON Error in FILE:"); jiti's TypeScript errors put the place on a second line.
 */
export function configParseError(err: unknown, file: string): string {
  const e = err as Error & { reason?: string; mark?: { line: number; column: number; snippet?: string }; codeFrame?: string };
  const message = e?.message ?? String(err);
  if (e?.mark && e.reason) {
    // js-yaml: 0-based line and column
    return `${file}:${e.mark.line + 1}:${e.mark.column + 1}: ${e.reason}${e.mark.snippet ? `\n${indent(e.mark.snippet)}` : ''}`;
  }
  if (e?.name === 'JSONError') {
    // the reason is the one line that is neither the heading nor part of a code frame
    const line = message.split('\n').slice(1).find((l) => l.trim() && !/^\s*>?\s*\d*\s*\|/.test(l));
    const reason = line?.replace(/ while parsing .*$/, '').trim() ?? 'not valid JSON';
    const position = /at position (\d+)/.exec(reason);
    let where = file;
    if (position) {
      const text = fs.readFileSync(file, 'utf8');
      const { line, column } = lineColumn(text, Number(position[1]));
      where = `${file}:${line}:${column}`;
    }
    return `${where}: ${reason.replace(/ in JSON at position \d+/, '')}${e.codeFrame ? `\n${indent(e.codeFrame)}` : ''}`;
  }
  // jiti (TypeScript): "ParseError: Unexpected token, expected \",\"\n FILE:3:2"
  const place = new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`).exec(message);
  const reason = message.replace(place?.[0] ?? '\u0000', '').replace(/\s+/g, ' ').trim();
  return `${place ? place[0] : file}: ${reason || 'cannot be loaded'}`;
}
