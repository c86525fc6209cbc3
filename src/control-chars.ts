/**
 * Text from outside (topics, titles, scripts, API bodies) is refused when it holds characters that
 * steer a terminal or hide what is there; text from storage is escaped before it reaches a terminal.
 */

/** C0 controls, DEL, C1 controls, and the line and paragraph separators that act as line breaks. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
/** The same, less the tab and line breaks a multi-line text (a Markdown script) may hold. */
const CONTROL_IN_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/u;
/** Half of a surrogate pair on its own: not a character, and stored as U+FFFD. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;
/** Spaces, format characters (zero-width, bidi marks), marks, fillers and selectors: nothing to read. */
const INVISIBLE = /^[\s\p{Cf}\p{M}\u115f\u1160\u3164\uffa0\u2800\u034f\u180b-\u180f\ufe00-\ufe0f]*$/u;
/** What is escaped on a terminal: every control, and the bidirectional overrides that reorder a line. */
const UNSAFE_ON_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu;

const NAMES: Record<number, string> = { 0: 'NUL', 7: 'bell', 8: 'backspace', 9: 'tab', 10: 'line break', 13: 'carriage return', 27: 'escape', 127: 'delete' };

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** The first character `text` must not hold, described for people ("U+001B (escape) at character 5"), or null. */
export function hiddenCharacter(text: string, opts: { multiline?: boolean } = {}): string | null {
  const m = (opts.multiline ? CONTROL_IN_LINES : CONTROL).exec(text) ?? LONE_SURROGATE.exec(text);
  if (!m) return null;
  const name = NAMES[m[0].codePointAt(0)!];
  const what = LONE_SURROGATE.test(m[0]) ? 'half a surrogate pair' : `a control character, ${codePoint(m[0])}${name ? ` (${name})` : ''},`;
  return `${what} at character ${[...text.slice(0, m.index)].length + 1}`;
}

/** True when nothing in `text` would be visible: only spaces, zero-width and other format characters. */
export function invisibleOnly(text: string): boolean {
  return INVISIBLE.test(text);
}

/**
 * The problem with one line of text from outside (a topic, a title), naming it, or null: control
 * characters (new lines too), half surrogate pairs, or nothing visible at all.
 */
export function plainLineProblem(name: string, text: string): string | null {
  const hidden = hiddenCharacter(text);
  if (hidden) return `the ${name} holds ${hidden}: give it as plain text on one line, without escape sequences or control characters`;
  // what bytes that were not UTF-8 (a command-line argument in Latin-1) become on the way in
  const replaced = text.indexOf('\ufffd');
  if (replaced >= 0) return `the ${name} holds U+FFFD, the replacement character, at character ${[...text.slice(0, replaced)].length + 1}: bytes that were not UTF-8 end up as it; give the ${name} in UTF-8`;
  if (text.length && invisibleOnly(text)) return `the ${name} has no visible characters: give it in words`;
  return null;
}

/** A zod check (`.superRefine(plainLine('topic'))`): refuses what plainLineProblem refuses. */
export function plainLine(name: string) {
  return (text: string, ctx: { addIssue(issue: { code: 'custom'; message: string }): void }) => {
    const problem = plainLineProblem(name, text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };
}

/** A zod check for text of several lines (narration): tabs and line breaks pass, other controls do not. */
export function plainText(name: string) {
  return (text: string, ctx: { addIssue(issue: { code: 'custom'; message: string }): void }) => {
    const hidden = hiddenCharacter(text, { multiline: true });
    if (hidden) ctx.addIssue({ code: 'custom', message: `the ${name} holds ${hidden}: write plain text, without control characters` });
  };
}

/**
 * Makes text from storage safe to print on a terminal: controls and bidi overrides become visible
 * escapes (`\x1b`, `\u202e`), so a stored string cannot recolour, retitle or rewrite the operator's
 * screen. `multiline` keeps line breaks (an error message of several lines).
 */
export function forTerminal(text: string, opts: { multiline?: boolean } = {}): string {
  return text.replace(UNSAFE_ON_TERMINAL, (ch) => {
    if (opts.multiline && ch === '\n') return ch;
    const c = ch.charCodeAt(0);
    if (ch === '\n') return '\\n';
    if (ch === '\t') return '\\t';
    if (ch === '\r') return '\\r';
    return c < 0x100 ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
  });
}
