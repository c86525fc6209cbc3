import fs from 'node:fs';
import path from 'node:path';
import { v1beta1 } from '@google-cloud/text-to-speech';
import { GoogleAuth, OAuth2Client } from 'google-auth-library';
import { PermanentError } from '../../errors.js';
import { runFfmpeg } from '../../media/ffmpeg.js';
import { type Pcm, parseWav } from '../../media/wav.js';
import { TTS_CREDENTIALS_HINT } from '../google/credentials.js';
import type { GoogleConfig } from '../google/gemini.js';
import { makeTempDir } from '../../scratch.js';
import { DEFAULT_VOICES } from './voices.js';

/** The Cloud Text-to-Speech client: credentials, the REST client for the configured endpoint, the voice of a language. */

const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];
export const ENCODING = { LINEAR16: 1, MP3: 2 } as const;

/** Where the TTS credentials would come from, checked without calling the API. */
export async function ttsCredentials(env: NodeJS.ProcessEnv): Promise<{ ok: boolean; detail: string; fix: string }> {
  if (env.GOOGLE_OAUTH_ACCESS_TOKEN) return { ok: true, detail: 'access token from GOOGLE_OAUTH_ACCESS_TOKEN', fix: '' };
  const file = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (file && !fs.existsSync(file)) return { ok: false, detail: `GOOGLE_APPLICATION_CREDENTIALS names ${file}, which does not exist`, fix: TTS_CREDENTIALS_HINT };
  try {
    await Promise.race([
      new GoogleAuth({ scopes: SCOPES }).getClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 10_000).unref()),
    ]);
    return { ok: true, detail: file ? `Application Default Credentials from ${file}` : 'Application Default Credentials', fix: '' };
  } catch (err) {
    const detail = file
      ? `GOOGLE_APPLICATION_CREDENTIALS names ${file}, which cannot be used: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`
      : 'no Application Default Credentials found (GOOGLE_APPLICATION_CREDENTIALS is not set)';
    return { ok: false, detail, fix: TTS_CREDENTIALS_HINT };
  }
}

export function buildClient(google: GoogleConfig, env: NodeJS.ProcessEnv): v1beta1.TextToSpeechClient {
  const url = new URL(google.endpoints.tts ?? 'https://texttospeech.googleapis.com');
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const port = url.port ? Number(url.port) : protocol === 'http' ? 80 : 443;
  const token = env.GOOGLE_OAUTH_ACCESS_TOKEN;
  let authClient: OAuth2Client | undefined;
  if (token) {
    authClient = new OAuth2Client();
    // a token from the environment: no refresh is possible, so it is given a far expiry
    authClient.setCredentials({ access_token: token, expiry_date: Date.now() + 365 * 86_400_000 });
  }
  // (google-gax pins its own google-auth-library; the client only needs an AuthClient's fetch)
  const auth = authClient ? { authClient: authClient as unknown as NonNullable<ConstructorParameters<typeof v1beta1.TextToSpeechClient>[0]>['authClient'] } : {};
  return new v1beta1.TextToSpeechClient({ fallback: true, apiEndpoint: url.hostname, port, protocol, ...auth });
}

export function voiceFor(google: GoogleConfig, language: string): { name: string; languageCode: string } {
  const name = google.voices[language] ?? DEFAULT_VOICES[language];
  if (!name) throw new PermanentError(`no Cloud TTS voice for language ${language}: add one under google.voices in the config, e.g. '${language}': '${language}-Neural2-A'`);
  return { name, languageCode: name.split('-').slice(0, 2).join('-') };
}

/** google-gax's calls return a promise with `cancel()`: an aborted job does not wait for the answer. */
export function cancelledBy<T>(signal: AbortSignal, call: Promise<T> & { cancel?: () => void }): Promise<T> {
  const onAbort = () => call.cancel?.();
  signal.addEventListener('abort', onAbort, { once: true });
  return call.finally(() => signal.removeEventListener('abort', onAbort));
}

export async function decodeMp3(mp3: Buffer, signal: AbortSignal): Promise<Pcm> {
  const dir = await makeTempDir('la-tts-');
  try {
    await fs.promises.writeFile(path.join(dir, 'in.mp3'), mp3);
    await runFfmpeg({ inputs: [{ path: path.join(dir, 'in.mp3') }], outputOptions: ['-c:a', 'pcm_s16le', '-f', 'wav'], output: path.join(dir, 'out.wav') }, { signal });
    return parseWav(await fs.promises.readFile(path.join(dir, 'out.wav')));
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
