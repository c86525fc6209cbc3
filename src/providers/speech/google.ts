import fs from 'node:fs';
import path from 'node:path';
import { v1beta1 } from '@google-cloud/text-to-speech';
import { GoogleAuth, OAuth2Client } from 'google-auth-library';
import { metered, voiceType } from '../../costs.js';
import { PermanentError } from '../../errors.js';
import { runFfmpeg } from '../../media/ffmpeg.js';
import { type Pcm, encodeWav, parseWav, silence, wavSeconds } from '../../media/wav.js';
import type { SentenceTiming } from '../../types.js';
import { TTS_CREDENTIALS_HINT } from '../google/credentials.js';
import { type GoogleConfig, googleLimits } from '../google/gemini.js';
import { type CallInfo, withRetry } from '../google/retry.js';
import type { Meter, Narration, SpeechProvider } from '../types.js';
import { DEFAULT_VOICES, speaksPlainTextOnly } from './voices.js';
import { MAX_REQUEST_BYTES, type Piece, markedSsml, narrationPieces, sentenceTimes, ssmlChunks } from './ssml.js';
import { makeTempDir } from '../../scratch.js';

/**
 * Cloud Text-to-Speech (v1beta1, over REST). Voices that take SSML speak a scene in as few requests
 * as fit 5000 bytes, with a mark before every sentence: the returned timepoints give exact sentence
 * times. Chirp 3 HD voices take no SSML, so they speak sentence by sentence and each clip's length
 * gives the timing. Clips are joined into the one WAV per scene the audio stage stores.
 */

const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];
const ENCODING = { LINEAR16: 1, MP3: 2 } as const;

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

function buildClient(google: GoogleConfig, env: NodeJS.ProcessEnv): v1beta1.TextToSpeechClient {
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

/** `language`: the default story language, whose voice `check` (doctor) looks for. */
export function googleVoice(google: GoogleConfig, env: NodeJS.ProcessEnv = process.env, language = 'en-US'): SpeechProvider {
  let client: v1beta1.TextToSpeechClient | null = null;
  const tts = () => (client ??= buildClient(google, env));
  const limit = googleLimits(google).speech;
  const info = (what: string, voice: string): CallInfo => ({
    service: 'Cloud TTS',
    what,
    setting: { key: 'google.voices', value: voice },
    credentials: `${TTS_CREDENTIALS_HINT}; the Cloud Text-to-Speech API must be enabled for the project`,
  });

  /** google-gax's calls return a promise with `cancel()`: an aborted job does not wait for the answer. */
  function cancelledBy<T>(signal: AbortSignal, call: Promise<T> & { cancel?: () => void }): Promise<T> {
    const onAbort = () => call.cancel?.();
    signal.addEventListener('abort', onAbort, { once: true });
    return call.finally(() => signal.removeEventListener('abort', onAbort));
  }

  /** One synthesize request → PCM (decoded from MP3 when so configured) and the marks' times. */
  async function synthesize(input: { text: string } | { ssml: string }, voice: { name: string; languageCode: string }, what: string, characters: number, scene: number | undefined, signal: AbortSignal, meter?: Meter) {
    const request = {
      input,
      voice,
      audioConfig: { audioEncoding: ENCODING[google.audioEncoding], speakingRate: google.speakingRate },
      ...('ssml' in input ? { enableTimePointing: [1 /* SSML_MARK */] } : {}),
    };
    const usage = { characters };
    const [response] = await metered(meter, { provider: 'google-tts', model: voiceType(voice.name), operation: 'narration', scene, usage }, async () => {
      const r = await withRetry(() => limit(() => cancelledBy(signal, tts().synthesizeSpeech(request, { maxRetries: 0, timeout: 120_000 }))), {
        policy: google.retry,
        info: info(what, voice.name),
        signal,
      });
      return { result: r, usage };
    });
    if (!response.audioContent?.length) throw new PermanentError(`Cloud TTS returned no audio for ${what}`);
    const audio = Buffer.from(response.audioContent as Uint8Array);
    const pcm = google.audioEncoding === 'MP3' ? await decodeMp3(audio, signal) : parseWav(audio);
    const marks = new Map((response.timepoints ?? []).map((t) => [t.markName ?? '', Number(t.timeSeconds ?? 0)]));
    return { pcm, marks };
  }

  return {
    name: 'google',
    async check(signal) {
      const voice = voiceFor(google, language);
      const [r] = await withRetry(() => tts().listVoices({ languageCode: voice.languageCode }, { maxRetries: 0, timeout: 30_000 }), {
        policy: { ...google.retry, attempts: 1 },
        info: info('listing voices', voice.name),
        signal,
      });
      const names = (r.voices ?? []).map((v) => v.name);
      if (!names.includes(voice.name)) throw new PermanentError(`Cloud TTS has no voice ${voice.name}; choose one of ${names.slice(0, 8).join(', ')}… under google.voices`);
      return `${names.length} ${voice.languageCode} voices, ${voice.name} among them`;
    },
    async speak({ sentences, language, out, scene }, signal, meter): Promise<Narration> {
      if (!sentences.length) throw new PermanentError('the scene has no narration to speak');
      const voice = voiceFor(google, language);
      const where = scene ? `the narration of scene ${scene}` : 'a narration';
      const parts: Pcm[] = [];
      const times: { start: number; end: number }[] = [];
      let t = 0;
      if (speaksPlainTextOnly(voice.name)) {
        const pieces = narrationPieces(sentences, (s) => Buffer.byteLength(s), language);
        const clips = await Promise.all(pieces.map((p) => synthesize({ text: p.text }, voice, where, p.text.length, scene, signal, meter)));
        for (const [i, { pcm }] of clips.entries()) {
          if (i > 0) {
            // a clause of a cut sentence follows after a comma's pause, half a sentence's
            const pause = pieces[i - 1].cut ? google.sentencePauseSeconds / 2 : google.sentencePauseSeconds;
            parts.push(silence(pcm, pause));
            t += pause;
          }
          const d = wavSeconds(pcm);
          times.push({ start: t, end: t + d });
          parts.push(pcm);
          t += d;
        }
        return finish(pieces);
      }
      const pieces = narrationPieces(sentences, (s) => Buffer.byteLength(markedSsml([s], 9999)), language);
      const chunks = ssmlChunks(pieces, MAX_REQUEST_BYTES);
      const spoken = await Promise.all(
        chunks.map((c) => {
          const texts = c.pieces.map((p) => p.text);
          return synthesize({ ssml: markedSsml(texts, c.first) }, voice, where, texts.join(' ').length, scene, signal, meter);
        }),
      );
      for (const [ci, { pcm, marks }] of spoken.entries()) {
        const d = wavSeconds(pcm);
        const { first, pieces: inChunk } = chunks[ci];
        for (let k = 0; k < inChunk.length; k++) {
          const start = marks.get(`s${first + k}`);
          const end = k + 1 < inChunk.length ? marks.get(`s${first + k + 1}`) : (marks.get('end') ?? d);
          if (start === undefined || end === undefined) throw new PermanentError(`Cloud TTS returned no timepoint for a sentence of ${where} (voice ${voice.name}); choose a voice that supports SSML marks, or a Chirp 3 HD voice`);
          times.push({ start: t + start, end: t + Math.min(end, d) });
        }
        parts.push(pcm);
        t += d;
      }
      return finish(pieces);

      async function finish(pieces: Piece[]): Promise<Narration> {
        await fs.promises.writeFile(out, encodeWav(parts));
        const timings: SentenceTiming[] = sentenceTimes(sentences, pieces, times).map((x) => ({ text: x.text, start: round(x.start), end: round(x.end) }));
        return { duration: round(t), timings };
      }
    },
  };
}

async function decodeMp3(mp3: Buffer, signal: AbortSignal): Promise<Pcm> {
  const dir = await makeTempDir('la-tts-');
  try {
    await fs.promises.writeFile(path.join(dir, 'in.mp3'), mp3);
    await runFfmpeg({ inputs: [{ path: path.join(dir, 'in.mp3') }], outputOptions: ['-c:a', 'pcm_s16le', '-f', 'wav'], output: path.join(dir, 'out.wav') }, { signal });
    return parseWav(await fs.promises.readFile(path.join(dir, 'out.wav')));
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

const round = (s: number) => Math.round(s * 1000) / 1000;
