import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LoadedConfig } from './config.js';
import { LANGUAGES } from './languages.js';
import { missingFonts, scriptFonts } from './media/fonts.js';
import type { JobType } from './types.js';

/**
 * Whether this machine can make a video in each configured language (the config's `language` and every
 * language with a configured Cloud TTS voice): fonts with the script's letters for the stills, cards,
 * thumbnail and subtitles, the espeak-ng voice when espeak speaks, and line breaking by the language's
 * rules (Node's ICU data). One check per language, each saying what is missing and how to install it.
 */
export async function languageChecks(config: LoadedConfig, types: readonly JobType[]): Promise<{ name: string; ok: boolean; detail: string; fix?: string }[]> {
  const drawsText = types.some((t) => t === 'generate_images' || t === 'render_video' || t === 'generate_subtitles');
  const speaks = config.providers.speech === 'espeak' && types.includes('generate_audio');
  if (!drawsText && !speaks) return [];
  const codes = [...new Set([config.language, ...Object.keys(config.google.voices)])];
  return Promise.all(
    codes.map(async (code) => {
      const name = `language ${code}`;
      const language = LANGUAGES[code];
      if (!language) return { name, ok: false, detail: 'not a language lost-archives makes videos in', fix: `use one of ${Object.keys(LANGUAGES).join(', ')}` };
      const fonts = scriptFonts(code);
      const found: string[] = [];
      const problems: string[] = [];
      const fixes: string[] = [];
      const refuse = (problem: string, fix: string) => {
        problems.push(problem);
        fixes.push(fix);
      };
      if (drawsText) {
        const missing = await missingFonts(code);
        if (missing === null) refuse('fc-list (fontconfig) is not installed', 'apt-get install fontconfig');
        else if (missing.length) refuse(`no ${fonts.script} font (${missing.join(', ')})`, `apt-get install ${fonts.package}`);
        else found.push(`${fonts.script} fonts ${fonts.serif} and ${fonts.sans}`);
        if (Intl.Segmenter.supportedLocalesOf([code]).length) found.push('line breaking by its rules');
        else refuse('Node has no ICU data for its line breaking', 'use a Node.js build with full ICU (the official builds have it)');
      }
      if (speaks) {
        if (await espeakHas(language.espeakVoice)) found.push(`espeak-ng voice ${language.espeakVoice}`);
        else refuse(`espeak-ng has no voice ${language.espeakVoice}`, 'apt-get install espeak-ng espeak-ng-data');
      }
      const detail = `${language.name}: ${problems.length ? problems.join('; ') : found.join(', ')}`;
      return { name, ok: !problems.length, detail, fix: fixes.join('; ') || undefined };
    }),
  );
}

async function espeakHas(voice: string): Promise<boolean> {
  try {
    await promisify(execFile)('espeak-ng', ['-q', '-v', voice, 'a']);
    return true;
  } catch {
    return false;
  }
}
