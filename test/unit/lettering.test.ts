import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { PermanentError } from '../../src/errors.js';
import { languageChecks } from '../../src/language-support.js';
import { LANGUAGES } from '../../src/languages.js';
import { fontFamilies, missingFonts, subtitleFont } from '../../src/media/fonts.js';
import { setText } from '../../src/media/lettering.js';
import { fontFile, hbView, inkOf, similarity } from '../helpers/ink.js';
import { tempDir } from '../helpers/services.js';

const black = { color: '#000000', size: 40, width: 2000 };

describe('lettering', () => {
  it('draws markup characters as text, not as markup', async () => {
    const text = '<b>Tom & "Jerry"</b>';
    const block = await setText({ ...black, text, language: 'en-US' });
    const ink = await inkOf(block!.png, 'dark');
    expect(similarity(ink, await inkOf(hbView(text, fontFile('Noto Serif'), 40), 'dark'))).toBeGreaterThan(0.7);
  });

  it('draws a word of another script in a title from that script’s font (no tofu)', async () => {
    for (const [text, family] of [
      ['مكتبة الإسكندرية', 'Noto Naskh Arabic'],
      ['क्षत्रिय', 'Noto Serif Devanagari'],
    ]) {
      const block = await setText({ ...black, text, language: 'en-US' });
      expect(similarity(await inkOf(block!.png, 'dark'), await inkOf(hbView(text, fontFile(family), 40), 'dark')), text).toBeGreaterThan(0.7);
    }
  });

  it('wraps to the width and cuts at a whole word with an ellipsis after maxLines', async () => {
    const text = 'The library held scrolls from every corner of the known world until the fire took them all';
    const full = (await setText({ ...black, text, language: 'en-US', width: 400 }))!;
    const cut = (await setText({ ...black, text, language: 'en-US', width: 400, maxLines: 2 }))!;
    const one = (await setText({ ...black, text: 'The library held', language: 'en-US', width: 400 }))!;
    expect(full.lines).toBeGreaterThan(3);
    expect(full.width).toBeLessThanOrEqual(400);
    expect(cut.lines).toBe(2);
    expect(cut.height).toBeLessThan(one.height * 2.6);
    expect(cut.height).toBeGreaterThan(one.height * 1.6);
  });

  it('breaks CJK between characters, without spaces', async () => {
    const block = (await setText({ ...black, text: '失われたアレクサンドリア図書館の謎と記録', language: 'ja-JP', width: 300 }))!;
    expect(block.lines).toBeGreaterThan(1);
    expect(block.width).toBeLessThanOrEqual(300);
  });
});

describe('fonts per language', () => {
  it('puts the language’s own script first, and Japanese and Chinese CJK fonts in their order', () => {
    expect(fontFamilies('hi-IN', 'serif')[0]).toBe('Noto Serif Devanagari');
    expect(fontFamilies('ja-JP', 'serif').indexOf('Noto Serif CJK JP')).toBeLessThan(fontFamilies('ja-JP', 'serif').indexOf('Noto Serif CJK SC'));
    expect(fontFamilies('zh-CN', 'serif').indexOf('Noto Serif CJK SC')).toBeLessThan(fontFamilies('zh-CN', 'serif').indexOf('Noto Serif CJK JP'));
    expect(subtitleFont('ar-SA')).toBe('Noto Sans Arabic');
    expect(subtitleFont('ru-RU')).toBe('Noto Sans');
  });

  it('every accepted language has fonts installed here with every letter of its sample', async () => {
    for (const code of Object.keys(LANGUAGES)) expect(await missingFonts(code), code).toEqual([]);
  });
});

describe('doctor: languages', () => {
  const saved = process.env.FONTCONFIG_FILE;
  afterEach(() => {
    if (saved === undefined) delete process.env.FONTCONFIG_FILE;
    else process.env.FONTCONFIG_FILE = saved;
  });
  const config = () => ({ ...parseConfig({ language: 'hi-IN', google: { voices: { 'ar-SA': 'ar-XA-Wavenet-B' } } }, 'test'), source: null, baseDir: '.' });

  it('accepts each configured language whose fonts, voice and line breaking work', async () => {
    const checks = await languageChecks(config(), ['generate_audio', 'render_video']);
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['language hi-IN', true],
      ['language ar-SA', true],
    ]);
    expect(checks[0].detail).toMatch(/Noto Serif Devanagari.*espeak-ng voice hi/);
  });

  it('refuses a language whose fonts fontconfig cannot find, naming the package to install', async () => {
    const conf = path.join(tempDir('fontconfig'), 'fonts.conf');
    fs.writeFileSync(conf, '<?xml version="1.0"?><fontconfig></fontconfig>');
    process.env.FONTCONFIG_FILE = conf;
    const [hindi] = await languageChecks(config(), ['render_video']);
    expect(hindi).toMatchObject({ ok: false, fix: 'apt-get install fonts-noto-core' });
    expect(hindi.detail).toMatch(/no Devanagari font/);
  });

  it('refuses to letter a language whose fonts are missing instead of drawing tofu', async () => {
    const conf = path.join(tempDir('fontconfig'), 'fonts.conf');
    fs.writeFileSync(conf, '<?xml version="1.0"?><fontconfig></fontconfig>');
    process.env.FONTCONFIG_FILE = conf;
    // Chinese: no earlier test in this file lettered it, so nothing is remembered as found
    const err = await setText({ ...black, text: '档案', language: 'zh-CN' }).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/no Chinese \(simplified\) font for zh-CN .*apt-get install fonts-noto-cjk/);
  });
});
