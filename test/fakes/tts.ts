import { execFileSync } from 'node:child_process';
import { type FakeServer, type Reply, googleError, startFake } from './http.js';

/**
 * A loopback Cloud Text-to-Speech v1beta1 over REST, as the client's `fallback: true` mode calls it:
 * `POST /v1beta1/text:synthesize` with numeric enums (`audioEncoding: 1` LINEAR16, `2` MP3;
 * `enableTimePointing: [1]` SSML marks) and `GET /v1beta1/voices`. It refuses inputs over 5000 bytes
 * and SSML for Chirp voices, like the real service. Speech is a tone lasting `secondsPerChar` per
 * spoken character, so timings can be checked exactly; mark times follow from the text before them.
 */

export const FAKE_TTS_TOKEN = 'test-tts-token';
export const SAMPLE_RATE = 16000;

export interface TtsRequest {
  text?: string;
  ssml?: string;
  voice: { languageCode: string; name: string };
  audioEncoding: number;
  bytes: number;
  timePointing: boolean;
}

export type TtsAnswer = (req: TtsRequest, nth: number) => Reply | null | Promise<Reply | null>;

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

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** Spoken length and mark times of an input, as this fake speaks it. */
export function fakeSpeech(input: { text?: string; ssml?: string }, secondsPerChar: number): { seconds: number; marks: { markName: string; timeSeconds: number }[] } {
  if (input.text !== undefined) return { seconds: Array.from(input.text).length * secondsPerChar, marks: [] };
  let t = 0;
  const marks: { markName: string; timeSeconds: number }[] = [];
  for (const part of (input.ssml ?? '').replace(/^<speak>|<\/speak>$/g, '').split(/(<mark name="[^"]*"\/>)/)) {
    const m = /^<mark name="([^"]*)"\/>$/.exec(part);
    if (m) marks.push({ markName: m[1], timeSeconds: Math.round(t * 1e6) / 1e6 });
    else t += Array.from(unescape(part.replace(/<[^>]+>/g, ''))).length * secondsPerChar;
  }
  return { seconds: t, marks };
}

export async function startTtsFake(opts: { secondsPerChar?: number; answer?: TtsAnswer; delayMs?: number } = {}): Promise<FakeServer & { calls: TtsRequest[] }> {
  const perChar = opts.secondsPerChar ?? 0.01;
  const calls: TtsRequest[] = [];
  const server = await startFake(async (r) => {
    if (r.headers.authorization !== `Bearer ${FAKE_TTS_TOKEN}`) return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    if (r.method === 'GET' && r.path === '/v1beta1/voices') {
      const lang = r.query.get('languageCode') ?? 'en-US';
      return { body: { voices: ['A', 'B', 'C', 'D'].map((v) => ({ languageCodes: [lang], name: `${lang}-Neural2-${v}`, ssmlGender: 1, naturalSampleRateHertz: 24000 })) } };
    }
    if (r.method !== 'POST' || r.path !== '/v1beta1/text:synthesize') return googleError(404, 'NOT_FOUND', `no route ${r.method} ${r.path}`);
    const b = r.body;
    const input = b?.input ?? {};
    const req: TtsRequest = {
      text: input.text,
      ssml: input.ssml,
      voice: b?.voice,
      audioEncoding: b?.audioConfig?.audioEncoding,
      bytes: Buffer.byteLength(input.text ?? input.ssml ?? ''),
      timePointing: (b?.enableTimePointing ?? []).includes(1),
    };
    calls.push(req);
    const custom = await opts.answer?.(req, calls.length);
    if (custom) return custom;
    if (typeof req.audioEncoding !== 'number') return googleError(400, 'INVALID_ARGUMENT', `audioEncoding must be an enum number with enum-encoding=int, got ${JSON.stringify(req.audioEncoding)}`);
    if (req.bytes > 5000) return googleError(400, 'INVALID_ARGUMENT', 'Either `input.text` or `input.ssml` is longer than the limit of 5000 bytes. This limit is different from quotas.');
    if (!/^[a-z]{2,3}-[A-Z]{2}-(Neural2|Wavenet|Standard|Chirp3-HD)-[A-Za-z]+$/.test(req.voice?.name ?? '')) return googleError(400, 'INVALID_ARGUMENT', `Voice '${req.voice?.name}' does not exist. Is it misspelled?`);
    if (req.ssml !== undefined && /Chirp/.test(req.voice.name)) return googleError(400, 'INVALID_ARGUMENT', `This voice does not support SSML input.`);
    const spoken = fakeSpeech(input, perChar);
    let audio = wav(spoken.seconds);
    if (req.audioEncoding === 2) audio = execFileSync('ffmpeg', ['-v', 'error', '-f', 'wav', '-i', '-', '-f', 'mp3', '-'], { input: audio });
    return { delayMs: opts.delayMs, body: { audioContent: audio.toString('base64'), timepoints: req.timePointing ? spoken.marks : [], audioConfig: b.audioConfig } };
  });
  return Object.assign(server, { calls });
}
