import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PermanentError } from '../errors.js';

/**
 * The fonts each script is drawn with, from Debian's Noto packages (scripts/setup.sh installs them):
 * serif families for cards, stills and thumbnails (drawn by Pango through src/media/lettering.ts),
 * a sans family for the subtitles libass burns in (it asks fontconfig for the family by name).
 */
export interface ScriptFonts {
  script: string;
  serif: string;
  sans: string;
  /** the Debian package that has both */
  package: string;
  /** letters the font must have for this script (doctor checks them) */
  sample: string;
}

const LATIN: ScriptFonts = { script: 'Latin', serif: 'Noto Serif', sans: 'Noto Sans', package: 'fonts-noto-core', sample: 'AZaz0ÄéñßçøŁ' };
const SCRIPTS: Record<string, ScriptFonts> = {
  ru: { ...LATIN, script: 'Cyrillic', sample: 'АЯаяЖЩЁ' },
  el: { ...LATIN, script: 'Greek', sample: 'ΑΩαωΣςά' },
  hi: { script: 'Devanagari', serif: 'Noto Serif Devanagari', sans: 'Noto Sans Devanagari', package: 'fonts-noto-core', sample: 'कखक्षत्रियकिं।' },
  ar: { script: 'Arabic', serif: 'Noto Naskh Arabic', sans: 'Noto Sans Arabic', package: 'fonts-noto-core', sample: 'ابتثجلامكتبة،؟' },
  ja: { script: 'Japanese', serif: 'Noto Serif CJK JP', sans: 'Noto Sans CJK JP', package: 'fonts-noto-cjk', sample: 'あア漢字。記録' },
  zh: { script: 'Chinese (simplified)', serif: 'Noto Serif CJK SC', sans: 'Noto Sans CJK SC', package: 'fonts-noto-cjk', sample: '汉字档案。图书馆' },
};

/** The script (and its fonts) a language is written in. */
export function scriptFonts(language: string): ScriptFonts {
  return SCRIPTS[language.split('-')[0].toLowerCase()] ?? LATIN;
}

/** Families in the order Pango tries them: the language's own first, then every other script's, so a foreign word in a title is drawn too. */
export function fontFamilies(language: string, role: 'serif' | 'sans'): string[] {
  const own = scriptFonts(language);
  // Japanese and Chinese share code points but not glyph shapes: the story's own CJK font goes before the other
  const others = [LATIN, SCRIPTS.hi, SCRIPTS.ar, ...(own === SCRIPTS.zh ? [SCRIPTS.zh, SCRIPTS.ja] : [SCRIPTS.ja, SCRIPTS.zh])];
  const override = role === 'serif' && process.env.LOST_ARCHIVES_FONT ? [process.env.LOST_ARCHIVES_FONT] : [];
  return [...new Set([...override, own[role], ...others.map((s) => s[role])])];
}

/** The family libass asks fontconfig for when burning this language's subtitles. */
export function subtitleFont(language: string): string {
  return scriptFonts(language).sans;
}

/**
 * Which of the language's fonts lack some of its sample letters, by asking fontconfig (fc-list) for the
 * family restricted to fonts that have every one; null when fc-list is missing.
 */
export async function missingFonts(language: string): Promise<string[] | null> {
  const fonts = scriptFonts(language);
  const charset = [...fonts.sample].map((c) => c.codePointAt(0)!.toString(16)).join(' ');
  try {
    const missing = [];
    for (const family of [fonts.serif, fonts.sans]) {
      const { stdout } = await promisify(execFile)('fc-list', ['-f', '%{family}\n', `${family.replace(/[-:,\\]/g, '\\$&')}:charset=${charset}`]);
      if (!stdout.trim()) missing.push(family);
    }
    return missing;
  } catch {
    return null;
  }
}

const checked = new Map<string, Promise<void>>();

/**
 * Refuses to letter a language whose fonts are missing rather than draw tofu boxes (a permanent error
 * naming the package); when fc-list itself is missing there is no way to tell, and drawing goes ahead.
 */
export function requireFonts(language: string): Promise<void> {
  const key = scriptFonts(language).script;
  if (!checked.has(key)) {
    const fonts = scriptFonts(language);
    const check = missingFonts(language).then((missing) => {
      if (missing?.length) throw new PermanentError(`no ${fonts.script} font for ${language} (${missing.join(', ')}): install ${fonts.package} (\`apt-get install ${fonts.package}\`), then retry the story`);
    });
    // only a success is kept: fonts installed while a worker runs are found at the next story
    check.catch(() => checked.delete(key));
    checked.set(key, check);
  }
  return checked.get(key)!;
}
