import { describe, expect, it } from 'vitest';
import { forTerminal, hiddenCharacter, invisibleOnly, plainLineProblem } from '../../src/control-chars.js';
import { createLogger } from '../../src/log.js';
import { newStorySchema } from '../../src/stories.js';

describe('what topics and titles refuse', () => {
  it('control characters of C0, DEL and C1, separators, and half surrogate pairs; not spaces, accents, emoji or RTL text', () => {
    for (const bad of ['a\u0000', 'a\tb', 'a\nb', 'a\rb', 'a\u001bb', 'a\u007f', 'a\u0085', 'a\u009b', 'a\u2028b', 'a\ud800', '\udfffa']) expect(plainLineProblem('topic', bad), JSON.stringify(bad)).not.toBeNull();
    for (const good of ['The Library of Alexandria', 'Café Ölüdeniz', 'Ἀλεξάνδρεια', '亚历山大图书馆', 'मोहनजोदड़ो', 'مكتبة الإسكندرية', '🏛️ Troy', 'a\u00a0b']) expect(plainLineProblem('topic', good), good).toBeNull();
    expect(hiddenCharacter('ab\u0000')).toBe('a control character, U+0000 (NUL), at character 3');
    expect(hiddenCharacter('🏛️\u001b')).toBe('a control character, U+001B (escape), at character 3');
    expect(hiddenCharacter('line\nand\ttab', { multiline: true })).toBeNull();
    expect(plainLineProblem('topic', 'Caf\ufffd')).toMatch(/U\+FFFD, the replacement character, at character 4: bytes that were not UTF-8/);
  });

  it('text with nothing visible', () => {
    for (const t of ['\u200b', '\u200b\u200c\u200d\u2060\ufeff', '\u00ad\u034f', '\u3164\u115f', '\u2800', ' \u200e ']) expect(invisibleOnly(t), JSON.stringify(t)).toBe(true);
    expect(invisibleOnly('\u200bTroy')).toBe(false);
  });

  it('the shared story schema applies it (CLI and API)', () => {
    const r = newStorySchema.safeParse({ topic: 'Troy\u0000' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toMatch(/^the topic holds a control character, U\+0000 \(NUL\)/);
    expect(newStorySchema.safeParse({ topic: '  Troy  ' }).data?.topic).toBe('Troy');
  });
});

describe('forTerminal', () => {
  it('makes escapes, controls and bidi overrides visible text and keeps the rest', () => {
    expect(forTerminal('Red \u001b[31mALERT\u001b]0;pwned\u0007')).toBe('Red \\x1b[31mALERT\\x1b]0;pwned\\x07');
    expect(forTerminal('a\nb\tc\r\u009b\u202e\u2066')).toBe('a\\nb\\tc\\r\\x9b\\u202e\\u2066');
    expect(forTerminal('two\nlines', { multiline: true })).toBe('two\nlines');
    expect(forTerminal('Café 🏛️ 亚历山大 مكتبة')).toBe('Café 🏛️ 亚历山大 مكتبة');
  });

  it('is what the text logger prints for messages and fields', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    log.warn('story \u001b[2J failed', { topic: '\u001b]0;x\u0007', error: new Error('bad\u001b[31m') });
    expect(lines[0]).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(lines[0]).toMatch(/story \\x1b\[2J failed topic=\\x1b\]0;x\\x07 error="bad\\u001b\[31m"/);
  });
});
