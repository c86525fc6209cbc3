import fs from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from './config.js';
import { openDb } from './db/index.js';
import { pendingMigrations } from './db/migrate.js';
import { POOLER_ADVICE, transactionPooler } from './db/pooler.js';
import { RuntimeError, UsageError, errorMessage } from './errors.js';
import { JOB_TYPES } from './stages/index.js';
import type { JobType } from './types.js';
import { languageChecks } from './language-support.js';
import type { Logger } from './log.js';
import { FFMPEG_INSTALL_HINT, binaryVersion, ffmpegBinary, ffprobeBinary } from './media/ffmpeg.js';
import { missingAuthorisation, tokenFilePath } from './providers/publish/youtube/client.js';
import { ESPEAK_INSTALL_HINT } from './providers/speech/espeak.js';
import { GEMINI_KEY_HINT, geminiAuth } from './providers/google/credentials.js';
import { ttsCredentials } from './providers/speech/tts-client.js';
import { buildProviders } from './providers/index.js';
import { supabaseFromConfig } from './storage/index.js';
import { maskSecret, supabaseEnv } from './storage/supabase-env.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** what to do when not ok */
  fix?: string;
}

/** The programs and fonts that the stages of these job types need with the configured providers. */
export async function toolChecks(config: LoadedConfig, types: readonly JobType[]): Promise<Check[]> {
  const checks: Check[] = [];
  const media = types.some((t) => t === 'generate_images' || t === 'render_video');
  if (media) {
    for (const [name, bin] of [['ffmpeg', ffmpegBinary()], ['ffprobe', ffprobeBinary()]] as const) {
      const v = await binaryVersion(bin);
      checks.push({ name, ok: !!v, detail: v ?? 'not found', fix: FFMPEG_INSTALL_HINT });
    }
  }
  if (config.providers.speech === 'espeak' && types.includes('generate_audio')) {
    const v = await binaryVersion('espeak-ng', ['--version']);
    checks.push({ name: 'espeak-ng', ok: !!v, detail: v ?? 'not found', fix: ESPEAK_INSTALL_HINT });
  }
  checks.push(...(await languageChecks(config, types)));
  return checks;
}

/**
 * The accounts the configured providers need for these job types, from the environment and the stored
 * YouTube authorisation; no call is made.
 */
export async function credentialChecks(config: LoadedConfig, types: readonly JobType[], env = process.env): Promise<Check[]> {
  const checks: Check[] = [];
  const { text, image, speech, publish } = config.providers;
  const needsGemini =
    (text === 'gemini' && types.some((t) => t === 'generate_script' || t === 'generate_metadata')) || ((image.includes('gemini') || (image.includes('archive') && text === 'gemini')) && types.includes('generate_images'));
  if (needsGemini) {
    const auth = geminiAuth(env);
    const detail = 'missing' in auth ? auth.missing : auth.kind === 'apiKey' ? 'API key from the environment' : `Vertex AI project ${auth.project} in ${auth.location}`;
    checks.push({ name: 'gemini credentials', ok: !('missing' in auth), detail, fix: GEMINI_KEY_HINT });
  }
  if (speech === 'google' && types.includes('generate_audio')) {
    const found = await ttsCredentials(env);
    checks.push({ name: 'cloud tts credentials', ok: found.ok, detail: found.detail, fix: found.fix });
  }
  if (publish === 'youtube' && types.includes('upload_youtube')) {
    const problems = missingAuthorisation(config, env);
    checks.push(
      problems.length
        ? { name: 'youtube credentials', ok: false, detail: problems.join('; '), fix: 'set the client env vars, then run `lost-archives auth youtube`' }
        : { name: 'youtube credentials', ok: true, detail: `authorised (${tokenFilePath(config, env)})` },
    );
  }
  if (config.storage.kind === 'supabase' && types.some((t) => t !== 'generate_script' && t !== 'generate_metadata')) {
    const creds = supabaseEnv(env);
    const detail = 'missing' in creds ? creds.missing : `SUPABASE_URL ${creds.url}, SUPABASE_SERVICE_ROLE_KEY ${maskSecret(creds.serviceRoleKey)}`;
    checks.push({ name: 'storage credentials', ok: !('missing' in creds), detail, fix: 'missing' in creds ? creds.fix : undefined });
  }
  return checks;
}

/**
 * Refuses, before anything is queued or claimed, work the configured providers cannot do here: missing
 * credentials are a configuration error (exit 2) that names what to set; missing programs (unless
 * `credentialsOnly`: enqueuing commands, whose work may run elsewhere) a runtime error (exit 1).
 */
export async function preflight(config: LoadedConfig, types: readonly JobType[], opts: { credentialsOnly?: boolean } = {}): Promise<void> {
  const refused = (await credentialChecks(config, types)).filter((c) => !c.ok);
  if (refused.length) {
    throw new UsageError(`the configured providers cannot work without their credentials:\n${refused.map((c) => `  - ${c.name}: ${c.detail}; ${c.fix}`).join('\n')}`);
  }
  if (opts.credentialsOnly) return;
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
  checks.push(...(await credentialChecks(config, JOB_TYPES)));

  try {
    const db = await openDb({ url: config.database.url, dataDir: config.dataDir, poolSize: 2, logger }, { check: false });
    try {
      const pending = await pendingMigrations(db);
      add({ name: 'database', ok: true, detail: db.description });
      const pooler = transactionPooler(config.database.url);
      // a warning, not a failure: the queue works there by polling
      if (pooler) add({ name: 'connection mode', ok: true, detail: `transaction pooler (${pooler}): ${POOLER_ADVICE}` });
      add({ name: 'migrations', ok: pending.length === 0, detail: pending.length ? `${pending.length} pending` : 'up to date', fix: 'run `lost-archives db migrate`' });
    } finally {
      await db.close();
    }
  } catch (err) {
    add({ name: 'database', ok: false, detail: errorMessage(err), fix: config.database.url ? 'check DATABASE_URL and that PostgreSQL is running' : 'check the data folder' });
  }

  checks.push(...(await storageChecks(config)));
  add({ name: 'providers', ok: true, detail: Object.entries(config.providers).map(([k, v]) => `${k}=${v}`).join(' ') });
  // one cheap call per configured network provider, when its credentials are there
  if (checks.every((c) => c.ok || !/credentials/.test(c.name))) {
    const providers = buildProviders(config);
    for (const [role, p] of [['text', providers.text], ...providers.images.map((i) => ['images', i] as const), ['voice', providers.speech]] as const) {
      if (!p.check) continue;
      const name = `${p.name} ${role}`;
      try {
        add({ name, ok: true, detail: await p.check(AbortSignal.timeout(30_000)) });
      } catch (err) {
        add({ name, ok: false, detail: errorMessage(err), fix: 'the message says what to change' });
      }
    }
  }
  return checks;
}

/** Local: the folder is writable. Supabase: one cheap call (the bucket's settings), only when the credentials are there. */
async function storageChecks(config: LoadedConfig): Promise<Check[]> {
  const s = config.storage;
  if (s.kind === 'supabase') {
    // missing credentials are reported by the 'storage credentials' check, from the same reading
    const creds = supabaseEnv();
    if ('missing' in creds) return [];
    const storage = supabaseFromConfig(config, creds, { retry: { attempts: 1, baseMs: 0 } });
    try {
      const detail = await storage.checkBucket();
      return [{ name: 'storage', ok: !/but storage\.public/.test(detail), detail, fix: 'make storage.public match the bucket (private buckets get signed URLs)' }];
    } catch (err) {
      return [{ name: 'storage', ok: false, detail: errorMessage(err), fix: 'the message says what to change' }];
    }
  }
  const storageRoot = path.join(config.dataDir, 'storage');
  try {
    fs.mkdirSync(storageRoot, { recursive: true });
    fs.accessSync(storageRoot, fs.constants.W_OK);
    const shared = config.database.url ? ' (local to this machine: workers on other machines cannot read it; use storage kind supabase)' : '';
    return [{ name: 'storage', ok: true, detail: `local folder ${storageRoot}${shared}` }];
  } catch (err) {
    return [{ name: 'storage', ok: false, detail: errorMessage(err), fix: `make ${storageRoot} writable or set dataDir` }];
  }
}
