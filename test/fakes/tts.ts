import { execFileSync } from 'node:child_process';
import { DEFAULT_VOICES } from '../../src/providers/speech/voices.js';
import { type FakeServer, type Reply, googleError, startFake } from './http.js';
import { fakeSpeech, ttsRefusal } from './tts-rules.js';

/**
 * A loopback Cloud Text-to-Speech v1beta1 over REST, as the client's `fallback: true` mode calls it:
 * `POST /v1beta1/text:synthesize` with numeric enums (`audioEncoding: 1` LINEAR16, `2` MP3;
 * `enableTimePointing: [1]` SSML marks) and `GET /v1beta1/voices`. It refuses what the real service
 * refuses (see tts-rules.ts). Speech is a tone lasting `secondsPerChar` per spoken character, so timings
 * can be checked exactly; mark times follow from the text before them.
 */

export const FAKE_TTS_TOKEN = 'test-tts-token';
export const SAMPLE_RATE = 16000;

export interface TtsRequest {
  text?: string;
  ssml?: string;
  voice: { languageCode: string; name: string };
  audioEncoding: number;
  speakingRate?: number;
  bytes: number;
  timePointing: boolean;
}

export type TtsAnswer = (req: TtsRequest, nth: number) => Reply | null | Promise<Reply | null>;

const CHIRP3_HD = ['Achernar', 'Aoede', 'Charon', 'Fenrir', 'Kore', 'Leda', 'Orus', 'Puck', 'Zephyr'];

/**
 * The voices this fake has, a subset of the real list (`voices.list` gives that): for each default
 * voice's language, Standard A-D, WaveNet A-F, Chirp 3 HD, and Neural2 A-F where the default voice is a
 * Neural2 one (languages without Neural2 voices have none here either). Enough to tell a real name from
 * a misspelt one, or from a family the language does not have.
 */
export function fakeVoices(): Set<string> {
  const names = new Set<string>();
  for (const voice of Object.values(DEFAULT_VOICES)) {
    const [a, b, family] = voice.split('-');
    for (const l of 'ABCD') names.add(`${a}-${b}-Standard-${l}`);
    for (const l of 'ABCDEF') names.add(`${a}-${b}-Wavenet-${l}`);
    if (family === 'Neural2') for (const l of 'ABCDEF') names.add(`${a}-${b}-Neural2-${l}`);
    for (const c of CHIRP3_HD) names.add(`${a}-${b}-Chirp3-HD-${c}`);
  }
  return names;
}

function wav(seconds: number): Buffer {
  const frames = Math.round(seconds * SAMPLE_RATE);
  const data = Buffer.alloc(frames * 2);
  for (let i = 0; i < frames; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / SAMPLE_RATE)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(SAMPLE_RATE, 24);
  h.writeUInt32LE(SAMPLE_RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

export { fakeSpeech };

export async function startTtsFake(opts: { secondsPerChar?: number; answer?: TtsAnswer; delayMs?: number } = {}): Promise<FakeServer & { calls: TtsRequest[] }> {
  const perChar = opts.secondsPerChar ?? 0.01;
  const calls: TtsRequest[] = [];
  const voices = fakeVoices();
  const server = await startFake(async (r) => {
    if (r.headers.authorization !== `Bearer ${FAKE_TTS_TOKEN}`) return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    if (r.method === 'GET' && r.path === '/v1beta1/voices') {
      const lang = (r.query.get('languageCode') ?? '').toLowerCase();
      const list = [...voices].filter((v) => !lang || v.toLowerCase().startsWith(`${lang}-`));
      return { body: { voices: list.map((name) => ({ languageCodes: [name.split('-').slice(0, 2).join('-')], name, ssmlGender: 1, naturalSampleRateHertz: 24000 })) } };
    }
    if (r.method !== 'POST' || r.path !== '/v1beta1/text:synthesize') return googleError(404, 'NOT_FOUND', `no route ${r.method} ${r.path}`);
    const b = r.body;
    const input = b?.input ?? {};
    const req: TtsRequest = {
      text: input.text,
      ssml: input.ssml,
      voice: b?.voice,
      audioEncoding: b?.audioConfig?.audioEncoding,
      speakingRate: b?.audioConfig?.speakingRate,
      bytes: Buffer.byteLength(input.text ?? input.ssml ?? ''),
      timePointing: (b?.enableTimePointing ?? []).includes(1),
    };
    calls.push(req);
    const custom = await opts.answer?.(req, calls.length);
    if (custom) return custom;
    const refused = ttsRefusal(req, voices);
    if (refused) return refused;
    const spoken = fakeSpeech(input, perChar);
    let audio = wav(spoken.seconds);
    if (req.audioEncoding === 2) audio = execFileSync('ffmpeg', ['-v', 'error', '-f', 'wav', '-i', '-', '-f', 'mp3', '-'], { input: audio });
    return { delayMs: opts.delayMs, body: { audioContent: audio.toString('base64'), timepoints: req.timePointing ? spoken.marks : [], audioConfig: b.audioConfig } };
  });
  return Object.assign(server, { calls });
}
