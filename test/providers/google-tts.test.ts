import path from 'node:path';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Config, parseConfig } from '../../src/config.js';
import { PermanentError, RetryableError } from '../../src/errors.js';
import { parseWav, wavSeconds } from '../../src/media/wav.js';
import { googleVoice } from '../../src/providers/speech/google.js';
import { MAX_REQUEST_BYTES, MAX_SENTENCE_CHARS, markedSsml, narrationPieces, ssmlChunks } from '../../src/providers/speech/ssml.js';
import { splitSentences } from '../../src/text.js';
import { googleError, rateLimited } from '../fakes/http.js';
import { FAKE_MAX_SENTENCE_CHARS } from '../fakes/tts-rules.js';
import { FAKE_TTS_TOKEN, SAMPLE_RATE, type TtsAnswer, startTtsFake } from '../fakes/tts.js';
import { tempDir } from '../helpers/services.js';

/** The Cloud TTS voice through the real @google-cloud/text-to-speech client (REST fallback) against a loopback TTS. */

const env = { GOOGLE_OAUTH_ACCESS_TOKEN: FAKE_TTS_TOKEN };
const dir = tempDir('la-tts-');
const signal = () => AbortSignal.timeout(60_000);
const PER_CHAR = 0.01;

function googleConfig(url: string, extra: object = {}): Config['google'] {
  return parseConfig({ providers: { speech: 'google' }, google: { endpoints: { tts: url }, retry: { attempts: 3, baseSeconds: 0.05, maxSeconds: 2 }, ...extra } }, 'test').google;
}

let fake: Awaited<ReturnType<typeof startTtsFake>> | null = null;
async function server(answer?: TtsAnswer) {
  fake = await startTtsFake({ secondsPerChar: PER_CHAR, answer });
  return fake;
}
afterEach(async () => {
  await fake?.close();
  fake = null;
});

const out = () => path.join(dir, `n-${Math.random()}.wav`);
const chars = (s: string) => Array.from(s).length;

describe('Cloud TTS voice', () => {
  it('speaks a scene in one SSML request with a mark per sentence and keeps the marks as sentence timings', async () => {
    const s = await server();
    const sentences = ['The library burned.', 'Or did it?', 'Scholars still argue about "when" & "how".'];
    const file = out();
    const n = await googleVoice(googleConfig(s.url), env).speak({ sentences, language: 'en-US', out: file, scene: 2 }, signal());
    expect(s.calls).toHaveLength(1);
    const call = s.calls[0];
    expect(call.voice).toEqual({ languageCode: 'en-US', name: 'en-US-Neural2-D' });
    expect(call.audioEncoding).toBe(1); // LINEAR16, as a number (enum-encoding=int)
    expect(call.timePointing).toBe(true);
    expect(call.ssml).toBe(markedSsml(sentences));
    // what goes over the wire is well-formed XML: the narration's quotes and ampersand are escaped
    expect(call.ssml).toContain('Scholars still argue about &quot;when&quot; &amp; &quot;how&quot;.');
    expect(call.ssml).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
    // each sentence starts where the text before it ends (the fake speaks 10 ms a character, plus a space)
    let t = 0;
    for (const [i, timing] of n.timings.entries()) {
      expect(timing.text).toBe(sentences[i]);
      expect(timing.start).toBeCloseTo(t, 3);
      t += (chars(sentences[i]) + 1) * PER_CHAR;
      expect(timing.end).toBeCloseTo(t, 3);
    }
    const wav = parseWav(fs.readFileSync(file));
    expect(wav.sampleRate).toBe(SAMPLE_RATE);
    expect(n.duration).toBeCloseTo(wavSeconds(wav), 3);
    expect(n.duration).toBeCloseTo(t, 2);
  });

  it('splits a 6000-byte narration at sentence boundaries into requests under 5000 bytes, with exact timings across them', async () => {
    const s = await server();
    const base = splitSentences(
      'In the third century before our era, Ptolemy’s agents searched every ship that entered the harbour of Alexandria for books. ' +
        'Scribes copied each scroll; the copies went back to the ships, the originals into the library. ' +
        'Ἡ βιβλιοθήκη grew until no one could say how many scrolls it held. ',
    );
    const sentences: string[] = [];
    while (Buffer.byteLength(sentences.join(' ')) < 6000) sentences.push(...base.map((x, i) => `${x.replace(/\.$/, '')} (${sentences.length + i}).`));
    expect(Buffer.byteLength(sentences.join(' '))).toBeGreaterThanOrEqual(6000);
    const file = out();
    const n = await googleVoice(googleConfig(s.url), env).speak({ sentences, language: 'en-US', out: file }, signal());
    expect(s.calls.length).toBeGreaterThanOrEqual(2);
    for (const c of s.calls) expect(c.bytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    // every sentence is spoken whole, once, in order: no request cut one apart
    const spoken = s.calls.flatMap((c) => [...c.ssml!.matchAll(/<mark name="s\d+"\/>([^<]*) /g)].map((m) => m[1]));
    expect(spoken.length).toBe(sentences.length);
    expect(n.timings.map((x) => x.text)).toEqual(sentences);
    // timings run on across request boundaries: each sentence starts where the previous one ended
    for (let i = 1; i < n.timings.length; i++) expect(n.timings[i].start).toBeCloseTo(n.timings[i - 1].end, 3);
    const expected = sentences.reduce((sum, x) => sum + (chars(x) + 1) * PER_CHAR, 0);
    expect(n.timings.at(-1)!.end).toBeCloseTo(expected, 2);
    expect(wavSeconds(parseWav(fs.readFileSync(file)))).toBeCloseTo(expected, 2);
  });

  it('cuts a single sentence longer than a request at a clause, not inside a word', () => {
    const long = Array.from({ length: 400 }, (_, i) => `clause ${i} of the decree`).join(', ') + '.';
    const pieces = narrationPieces([long], (x) => Buffer.byteLength(markedSsml([x], 9999)));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.map((p) => p.text).join(' ')).toBe(long);
    for (const p of pieces) expect(p.text).toMatch(/(decree,|decree\.)$/);
    for (const c of ssmlChunks(pieces)) expect(Buffer.byteLength(markedSsml(c.pieces.map((p) => p.text), c.first))).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
  });

  it('speaks a sentence too long for the voice in clauses, each ending its request, and times the whole sentence exactly', async () => {
    const s = await server();
    // refused whole by es-ES-Neural2-F (googleapis/google-cloud-node#4074): 312 characters, one sentence
    const long =
      'En la lección encontrarás un video subtitulado de una charla TED de Erez Garty, responsable de comunicación científica del Instituto Davidson de Enseñanza de las Ciencias, explicando cómo distintos tipos de bacterias beneficiosas intervienen, a través de la fermentación, en la producción de distintos alimentos.';
    const sentences = ['Empecemos por el pan.', long, 'Y luego el queso.'];
    const file = out();
    const n = await googleVoice(googleConfig(s.url), env).speak({ sentences, language: 'es-ES', out: file }, signal());
    expect(s.calls.length).toBeGreaterThanOrEqual(2);
    const spoken = s.calls.map((c) => [...c.ssml!.matchAll(/<mark name="s\d+"\/>([^<]*) /g)].map((m) => m[1]));
    // every request holds only sentences under the limit, and the long one is cut at its commas
    for (const texts of spoken) for (const t of texts) expect(chars(t)).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
    expect(spoken.flat().join(' ')).toBe(sentences.join(' '));
    expect(spoken.flat().filter((t) => long.includes(t)).every((t) => /[,.]$/.test(t))).toBe(true);
    // one timing per sentence of the narration: the subtitles are built from them
    expect(n.timings.map((x) => x.text)).toEqual(sentences);
    const d = (t: string) => (chars(t) + 1) * PER_CHAR;
    const pieces = spoken.flat();
    expect(n.timings[0]).toEqual({ text: sentences[0], start: 0, end: expect.closeTo(d(sentences[0]), 3) });
    // the long sentence starts where the first ended and ends where its last clause does, across requests
    expect(n.timings[1].start).toBeCloseTo(n.timings[0].end, 3);
    const longPieces = pieces.slice(1, -1);
    expect(n.timings[1].end - n.timings[1].start).toBeCloseTo(longPieces.reduce((sum, p) => sum + d(p), 0), 2);
    expect(n.timings[2].start).toBeCloseTo(n.timings[1].end, 3);
    expect(n.duration).toBeCloseTo(pieces.reduce((sum, p) => sum + d(p), 0), 2);
    // the stored clip is exactly as long as the timings say: no part lost or doubled
    expect(wavSeconds(parseWav(fs.readFileSync(file)))).toBeCloseTo(n.duration, 3);
  });

  it('speaks a too-long sentence in clauses for Chirp 3 HD voices too, a comma’s pause apart, timed as one sentence', async () => {
    const s = await server();
    const long = Array.from({ length: 12 }, (_, i) => `the ${i + 1}th ledger of the harbour master`).join(', ') + '.';
    expect(chars(long)).toBeGreaterThan(FAKE_MAX_SENTENCE_CHARS);
    const n = await googleVoice(googleConfig(s.url, { voices: { 'en-US': 'en-US-Chirp3-HD-Kore' }, sentencePauseSeconds: 0.4 }), env).speak(
      { sentences: ['It began at sea.', long], language: 'en-US', out: out() },
      signal(),
    );
    const texts = s.calls.map((c) => c.text!);
    expect(texts.length).toBeGreaterThanOrEqual(3);
    expect(texts.slice(1).join(' ')).toBe(long);
    expect(n.timings.map((x) => x.text)).toEqual(['It began at sea.', long]);
    const clips = texts.map((t) => chars(t) * PER_CHAR);
    expect(n.timings[1].start).toBeCloseTo(clips[0] + 0.4, 3);
    // clauses of one sentence are 0.2 s apart (half the sentence pause)
    expect(n.timings[1].end).toBeCloseTo(clips[0] + 0.4 + clips.slice(1).reduce((a, b) => a + b, 0) + 0.2 * (clips.length - 2), 3);
    expect(n.duration).toBeCloseTo(n.timings[1].end, 3);
  });

  it('speaks sentence by sentence in plain text for Chirp 3 HD voices, timing each by its clip', async () => {
    const s = await server();
    const sentences = ['First sentence here.', 'A second, longer sentence follows it.'];
    const n = await googleVoice(googleConfig(s.url, { voices: { 'en-US': 'en-US-Chirp3-HD-Kore' }, sentencePauseSeconds: 0.25 }), env).speak({ sentences, language: 'en-US', out: out() }, signal());
    expect(s.calls.map((c) => c.text)).toEqual(sentences);
    expect(s.calls.every((c) => c.ssml === undefined && !c.timePointing)).toBe(true);
    const d0 = chars(sentences[0]) * PER_CHAR;
    expect(n.timings[0]).toEqual({ text: sentences[0], start: 0, end: expect.closeTo(d0, 3) });
    expect(n.timings[1].start).toBeCloseTo(d0 + 0.25, 3);
    expect(n.duration).toBeCloseTo(d0 + 0.25 + chars(sentences[1]) * PER_CHAR, 3);
  });

  it('uses the configured voice per language, and the voice name’s language code (es-MX speaks es-US)', async () => {
    const s = await server();
    await googleVoice(googleConfig(s.url, { voices: { 'fr-FR': 'fr-FR-Wavenet-C' } }), env).speak({ sentences: ['Bonjour.'], language: 'fr-FR', out: out() }, signal());
    await googleVoice(googleConfig(s.url), env).speak({ sentences: ['Hola.'], language: 'es-MX', out: out() }, signal());
    expect(s.calls.map((c) => c.voice)).toEqual([{ languageCode: 'fr-FR', name: 'fr-FR-Wavenet-C' }, { languageCode: 'es-US', name: 'es-US-Neural2-B' }]);
  });

  it('decodes MP3 when google.audioEncoding is MP3, into the WAV the audio stage stores', async () => {
    const s = await server();
    const file = out();
    const n = await googleVoice(googleConfig(s.url, { audioEncoding: 'MP3', speakingRate: 0.9 }), env).speak({ sentences: ['A short line to hear.'], language: 'en-US', out: file }, signal());
    expect(s.calls[0].audioEncoding).toBe(2);
    const wav = parseWav(fs.readFileSync(file));
    expect(wavSeconds(wav)).toBeGreaterThan(0.15);
    expect(n.duration).toBeCloseTo(wavSeconds(wav), 3);
  });

  it('retries a 429 and then succeeds', async () => {
    const s = await server((_, n) => (n === 1 ? googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric characters per minute') : null));
    const n = await googleVoice(googleConfig(s.url), env).speak({ sentences: ['Once more.'], language: 'en-US', out: out() }, signal());
    expect(s.calls).toHaveLength(2);
    expect(n.timings).toHaveLength(1);
  });

  it('gives up on a 503 storm after the configured tries, as a retryable failure', async () => {
    const s = await server(() => googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.'));
    const err = await googleVoice(googleConfig(s.url), env).speak({ sentences: ['Again.'], language: 'en-US', out: out() }, signal()).catch((e) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.message).toMatch(/Cloud TTS failed on a narration \(503/);
    expect(s.calls).toHaveLength(3);
  });

  it('fails at once on a voice the service does not have, naming google.voices', async () => {
    const s = await server();
    const err = await googleVoice(googleConfig(s.url, { voices: { 'en-US': 'en-US-Nonsense-Z' } }), env).speak({ sentences: ['Hello.'], language: 'en-US', out: out() }, signal()).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/google\.voices/);
    expect(err.message).toMatch(/en-US-Nonsense-Z/);
    expect(s.calls).toHaveLength(1);
    // a real family the language does not have: pt-PT has WaveNet voices, no Neural2 ones
    const other = await googleVoice(googleConfig(s.url, { voices: { 'pt-PT': 'pt-PT-Neural2-A' } }), env).speak({ sentences: ['Olá.'], language: 'pt-PT', out: out() }, signal()).catch((e) => e);
    expect(other).toBeInstanceOf(PermanentError);
    expect(other.message).toMatch(/Voice 'pt-PT-Neural2-A' does not exist.*check google\.voices \("pt-PT-Neural2-A"\)/);
  });

  it('fails at once when the credentials are refused, saying how to give them', async () => {
    const s = await server();
    const err = await googleVoice(googleConfig(s.url), { GOOGLE_OAUTH_ACCESS_TOKEN: 'expired' }).speak({ sentences: ['Hello.'], language: 'en-US', out: out() }, signal()).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/GOOGLE_APPLICATION_CREDENTIALS/);
    expect(err.message).not.toContain('expired');
  });
});

describe('Cloud TTS retry timing', () => {
  it('waits as long as the RetryInfo in a 429 body says (no Retry-After header), as Google sends it', async () => {
    const s = await server((_, n) => (n === 1 ? rateLimited(1, "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of service 'texttospeech.googleapis.com'.") : null));
    await googleVoice(googleConfig(s.url), env).speak({ sentences: ['Once more.'], language: 'en-US', out: out() }, signal());
    expect(s.calls).toHaveLength(2);
    expect(s.requests[1].at - s.requests[0].at).toBeGreaterThanOrEqual(950);
  });

  it('waits as long as Retry-After says before trying again', async () => {
    const s = await server((_, n) => (n === 1 ? { ...googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded'), headers: { 'retry-after': '1' } } : null));
    await googleVoice(googleConfig(s.url), env).speak({ sentences: ['Once more.'], language: 'en-US', out: out() }, signal());
    expect(s.calls).toHaveLength(2);
    expect(s.requests[1].at - s.requests[0].at).toBeGreaterThanOrEqual(950);
  });
});
