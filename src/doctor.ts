import fs from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from './config.js';
import { openDb } from './db/index.js';
import { pendingMigrations } from './db/migrate.js';
import { RuntimeError, UsageError, errorMessage } from './errors.js';
import { JOB_TYPES } from './stages/index.js';
import type { JobType } from './types.js';
import { LANGUAGES } from './languages.js';
import type { Logger } from './log.js';
import { FFMPEG_INSTALL_HINT, binaryVersion, ffmpegBinary, ffprobeBinary } from './media/ffmpeg.js';
import { FONT_SERIF, fontsInstalled } from './media/fonts.js';
import { missingAuthorisation, tokenFilePath } from './providers/publish/youtube/client.js';
import { ESPEAK_INSTALL_HINT } from './providers/speech/espeak.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** what to do when not ok */
  fix?: string;
}

const FONT_FIX = 'install fonts-dejavu-core, or set LOST_ARCHIVES_FONT and LOST_ARCHIVES_FONT_BOLD to .ttf files';

/** The programs and fonts that the stages of these job types need with the configured providers. */
export async function toolChecks(config: LoadedConfig, types: readonly JobType[]): Promise<Check[]> {
  const checks: Check[] = [];
  const media = types.some((t) => t === 'generate_images' || t === 'render_video');
  if (media) {
    for (const [name, bin] of [['ffmpeg', ffmpegBinary()], ['ffprobe', ffprobeBinary()]] as const) {
      const v = await binaryVersion(bin);
      checks.push({ name, ok: !!v, detail: v ?? 'not found', fix: FFMPEG_INSTALL_HINT });
    }
    const fonts = fontsInstalled();
    checks.push({ name: 'fonts', ok: fonts, detail: fonts ? FONT_SERIF : 'DejaVu fonts not found', fix: FONT_FIX });
  }
  if (config.providers.speech === 'espeak' && types.includes('generate_audio')) {
    const v = await binaryVersion('espeak-ng', ['--version']);
    checks.push({ name: 'espeak-ng', ok: !!v, detail: v ?? 'not found', fix: ESPEAK_INSTALL_HINT });
    const voice = LANGUAGES[config.language]?.espeakVoice;
    checks.push({ name: 'default language', ok: !!voice, detail: voice ? `${config.language} (espeak voice ${voice})` : `${config.language} has no voice`, fix: `set language to one of ${Object.keys(LANGUAGES).join(', ')}` });
  }
  return checks;
}

/** The accounts the configured providers need: each a check, ok when its credentials are present. */
export function credentialChecks(config: LoadedConfig, env: NodeJS.ProcessEnv = process.env): Check[] {
  if (config.providers.publish !== 'youtube') return [];
  const problems = missingAuthorisation(config, env);
  return [
    problems.length
      ? { name: 'youtube', ok: false, detail: problems.join('; '), fix: 'set the client env vars, then run `lost-archives auth youtube`' }
      : { name: 'youtube', ok: true, detail: `authorised (${tokenFilePath(config, env)})` },
  ];
}

/**
 * Refuses to queue stories that the configured providers cannot publish: a usage error (exit 2) that
 * names what to do. `create`, `retry` and `serve` call it before anything is queued; `run` and
 * `run-worker` through `preflight`.
 */
export function credentialPreflight(config: LoadedConfig, env: NodeJS.ProcessEnv = process.env): void {
  const missing = credentialChecks(config, env).filter((c) => !c.ok);
  if (missing.length) throw new UsageError(missing.map((c) => `${c.name}: ${c.detail}`).join('\n'));
}

/** Refuses to start work this machine cannot do, before anything is queued or claimed. */
export async function preflight(config: LoadedConfig, types: readonly JobType[]): Promise<void> {
  if (types.includes('upload_youtube')) credentialPreflight(config);
  const missing = (await toolChecks(config, types)).filter((c) => !c.ok);
  if (missing.length) {
    throw new RuntimeError(`this machine cannot run the configured pipeline:\n${missing.map((c) => `  - ${c.name}: ${c.detail}; ${c.fix}`).join('\n')}\n(lost-archives doctor checks everything)`);
  }
}

/** Checks what the configured pipeline needs on this machine: binaries, fonts, database, storage. */
export async function runChecks(config: LoadedConfig, logger: Logger): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);
  add({ name: 'config', ok: true, detail: config.source ?? 'defaults (no config file found)' });
  const major = Number(process.versions.node.split('.')[0]);
  add({ name: 'node', ok: major >= 20, detail: process.version, fix: 'install Node.js 20 or newer' });

  checks.push(...(await toolChecks(config, JOB_TYPES)));
  checks.push(...credentialChecks(config));

  try {
    const db = await openDb({ url: config.database.url, dataDir: config.dataDir, poolSize: 2, logger }, { check: false });
    try {
      const pending = await pendingMigrations(db);
      add({ name: 'database', ok: true, detail: db.description });
      add({ name: 'migrations', ok: pending.length === 0, detail: pending.length ? `${pending.length} pending` : 'up to date', fix: 'run `lost-archives db migrate`' });
    } finally {
      await db.close();
    }
  } catch (err) {
    add({ name: 'database', ok: false, detail: errorMessage(err), fix: config.database.url ? 'check DATABASE_URL and that PostgreSQL is running' : 'check the data folder' });
  }

  const storageRoot = path.join(config.dataDir, 'storage');
  try {
    fs.mkdirSync(storageRoot, { recursive: true });
    fs.accessSync(storageRoot, fs.constants.W_OK);
    const shared = config.database.url ? ' (local to this machine: workers on other machines cannot read it)' : '';
    add({ name: 'storage', ok: true, detail: `local folder ${storageRoot}${shared}` });
  } catch (err) {
    add({ name: 'storage', ok: false, detail: errorMessage(err), fix: `make ${storageRoot} writable or set dataDir` });
  }
  add({ name: 'providers', ok: true, detail: Object.entries(config.providers).map(([k, v]) => `${k}=${v}`).join(' ') });
  return checks;
}
