import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Config, parseConfig } from '../../src/config.js';
import { PermanentError } from '../../src/errors.js';
import { aspectRatioFor, geminiIllustrator } from '../../src/providers/image/gemini.js';
import type { Meter, StillRequest, Usage } from '../../src/providers/types.js';
import { DEFAULT_PRICES, priceOf } from '../../src/costs.js';
import { FAKE_GEMINI_KEY, IMAGE_USAGE, type GeminiAnswer, geminiWriterAnswer, imageReply, png, safetyReply, startGeminiFake } from '../fakes/gemini.js';
import { tempDir } from '../helpers/services.js';

/** The Gemini illustrator through the real SDK against a loopback Gemini API, and ffmpeg for the fit. */

const env = { GEMINI_API_KEY: FAKE_GEMINI_KEY };
const signal = () => AbortSignal.timeout(60_000);
const dir = tempDir('la-gimg-');

function googleConfig(url: string, extra: object = {}): Config['google'] {
  return parseConfig({ providers: { image: 'gemini' }, google: { endpoints: { gemini: url }, retry: { attempts: 2, baseSeconds: 0.05, maxSeconds: 1 }, ...extra } }, 'test').google;
}

function request(over: Partial<StillRequest> = {}): StillRequest {
  return { prompt: 'a harbour at dawn. Style: sepia photograph', caption: 'Harbour', position: 3, total: 8, topic: 'Ports', language: 'en-US', width: 1920, height: 1080, out: path.join(dir, `still-${Math.random()}.png`), ...over };
}

function probe(file: string): { width: number; height: number; codec_name: string } {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', file], { encoding: 'utf8' })).streams[0];
}

let fake: Awaited<ReturnType<typeof startGeminiFake>> | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

describe('Gemini illustrator', () => {
  it('records the image model’s thinking tokens at its output rate beside the image, not its image tokens twice', async () => {
    fake = await startGeminiFake(geminiWriterAnswer());
    const settled: { model: string; usage: Usage | null }[] = [];
    const meter: Meter = { reserve: async (call) => ({ settle: async (usage) => void settled.push({ model: call.model, usage }) }) };
    await geminiIllustrator(googleConfig(fake.url), env).drawStill(request(), signal(), meter);
    expect(settled).toEqual([{ model: 'gemini-3.1-flash-image', usage: { tokensIn: IMAGE_USAGE.in, tokensOut: IMAGE_USAGE.thoughts, images: 1 } }]);
    // $0.067 for the picture, 240 thinking tokens at $3 and 60 prompt tokens at $0.50 a million
    expect(priceOf(DEFAULT_PRICES, 'gemini-3.1-flash-image', settled[0].usage!)).toBeCloseTo(0.067 + (240 * 3) / 1e6 + (60 * 0.5) / 1e6, 9);
  });

  it('asks for a 16:9 image and stores the 1920x1080 PNG the render expects', async () => {
    fake = await startGeminiFake(geminiWriterAnswer());
    const req = request();
    await geminiIllustrator(googleConfig(fake.url), env).drawStill(req, signal());
    const call = fake.calls[0];
    expect(call.model).toBe('gemini-3.1-flash-image');
    expect(call.raw.body.generationConfig.responseModalities).toEqual(['IMAGE']);
    expect(call.raw.body.generationConfig.imageConfig).toEqual({ aspectRatio: '16:9' });
    expect(call.prompt).toContain('a harbour at dawn. Style: sepia photograph');
    expect(probe(req.out)).toMatchObject({ width: 1920, height: 1080, codec_name: 'png' });
    expect(fs.readdirSync(dir).filter((f) => f.includes('.source.'))).toEqual([]);
  });

  it('fails at once, naming google.models.image, when it names a text model (which refuses image output)', async () => {
    fake = await startGeminiFake(geminiWriterAnswer());
    const err = await geminiIllustrator(googleConfig(fake.url, { models: { image: 'gemini-3.8-flash' } }), env).drawStill(request(), signal()).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/Model does not support the requested response modalities: image/);
    expect(err.message).toMatch(/check google\.models\.image \("gemini-3\.8-flash"\)/);
    expect(fake.calls).toHaveLength(1);
  });

  it('asks for 9:16 for a vertical video and fills 1080x1920', async () => {
    fake = await startGeminiFake(() => imageReply(png(36, 64, 1)));
    const req = request({ width: 1080, height: 1920 });
    await geminiIllustrator(googleConfig(fake.url), env).drawStill(req, signal());
    expect(fake.calls[0].raw.body.generationConfig.imageConfig.aspectRatio).toBe('9:16');
    expect(probe(req.out)).toMatchObject({ width: 1080, height: 1920 });
  });

  it('picks the nearest supported aspect ratio', () => {
    expect(aspectRatioFor(1920, 1080)).toBe('16:9');
    expect(aspectRatioFor(1080, 1920)).toBe('9:16');
    expect(aspectRatioFor(640, 360)).toBe('16:9');
    expect(aspectRatioFor(1000, 1000)).toBe('1:1');
  });

  it('rewrites a refused prompt once in a safer form and draws that', async () => {
    const answer: GeminiAnswer = (req, n) => (req.image && n === 1 ? safetyReply() : geminiWriterAnswer()(req, n));
    fake = await startGeminiFake(answer);
    const req = request({ prompt: 'the massacre at the harbour, bodies in the water' });
    await geminiIllustrator(googleConfig(fake.url), env).drawStill(req, signal());
    expect(fake.calls.map((c) => (c.image ? 'image' : `text:${c.model}`))).toEqual(['image', 'text:gemini-3.8-flash', 'image']);
    expect(fake.calls[1].prompt).toContain('the massacre at the harbour');
    expect(fake.calls[1].prompt).toContain('IMAGE_SAFETY');
    expect(fake.calls[2].prompt).toContain('an empty museum hall with a display case');
    expect(probe(req.out)).toMatchObject({ width: 1920, height: 1080 });
  });

  it('fails the scene with both reasons when the safer prompt is refused too', async () => {
    fake = await startGeminiFake((req, n) => (req.image ? safetyReply() : geminiWriterAnswer()(req, n)));
    const req = request();
    const err = await geminiIllustrator(googleConfig(fake.url), env).drawStill(req, signal()).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/^scene 3: gemini-3.1-flash-image refused the image prompt \(stopped: IMAGE_SAFETY.*\) and again after a safer rewrite \(stopped: IMAGE_SAFETY/);
    expect(fake.calls.filter((c) => c.image)).toHaveLength(2);
    expect(fs.existsSync(req.out)).toBe(false);
  });

  it('treats an answer with text and no image as a refusal', async () => {
    fake = await startGeminiFake((req, n) =>
      req.image && n === 1 ? { body: { candidates: [{ content: { parts: [{ text: 'I cannot draw that.' }] }, finishReason: 'STOP' }] } } : geminiWriterAnswer()(req, n),
    );
    await geminiIllustrator(googleConfig(fake.url), env).drawStill(request(), signal());
    expect(fake.calls[1].prompt).toContain('I cannot draw that.');
    expect(fake.calls).toHaveLength(3);
  });
});
