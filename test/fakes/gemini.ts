import zlib from 'node:zlib';
import { FAKE_MODELS, geminiRefusal, unknownModel } from './gemini-rules.js';
import { claimsReply, groundedScriptReply } from './grounding.js';
import { type FakeRequest, type FakeServer, type Reply, googleError, startFake } from './http.js';

/**
 * A loopback Gemini API: `POST /v1beta/models/{model}:generateContent` (JSON text or image output)
 * and `GET /v1beta/models/{model}`, with the real response shapes, `x-goog-api-key` checked. It refuses
 * what the real API refuses (unknown models, settings the model does not take: gemini-rules.ts) before
 * `answer` is asked; `answer` decides the other replies (`geminiWriterAnswer` writes plausible scripts,
 * metadata and images).
 */

export const FAKE_GEMINI_KEY = 'test-gemini-key';

export interface GeminiRequest {
  model: string;
  body: any;
  /** the last user text of the request */
  prompt: string;
  /** the request asked for an image */
  image: boolean;
  /** JSON schema asked for, if any */
  schema: any;
  /** the request asked for Grounding with Google Search (a `googleSearch` tool) */
  grounded: boolean;
  raw: FakeRequest;
}

export type GeminiAnswer = (req: GeminiRequest, nth: number) => Reply | Promise<Reply>;

export async function startGeminiFake(answer: GeminiAnswer = geminiWriterAnswer()): Promise<FakeServer & { calls: GeminiRequest[] }> {
  const calls: GeminiRequest[] = [];
  const server = await startFake((r) => {
    if (r.headers['x-goog-api-key'] !== FAKE_GEMINI_KEY) {
      return googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }]);
    }
    const m = /^\/v1beta\/models\/([^:]+)(:generateContent)?$/.exec(r.path);
    if (!m) return googleError(404, 'NOT_FOUND', `no route ${r.method} ${r.path}`);
    if (r.method === 'GET') {
      if (!FAKE_MODELS[m[1]]) return unknownModel(m[1], 'get');
      return { body: { name: `models/${m[1]}`, displayName: m[1], supportedGenerationMethods: ['generateContent'], thinking: FAKE_MODELS[m[1]].thinking } };
    }
    const contents = r.body?.contents ?? [];
    const lastUser = [...contents].reverse().find((c: any) => c.role === 'user');
    const gc = r.body?.generationConfig ?? {};
    const req: GeminiRequest = {
      model: m[1],
      body: r.body,
      prompt: (lastUser?.parts ?? []).map((p: any) => p.text ?? '').join(''),
      image: (gc.responseModalities ?? []).includes('IMAGE'),
      schema: gc.responseJsonSchema ?? null,
      grounded: Array.isArray(r.body?.tools) && r.body.tools.some((t: any) => t?.googleSearch !== undefined),
      raw: r,
    };
    calls.push(req);
    return geminiRefusal(req.model, r.body) ?? answer(req, calls.length);
  });
  return Object.assign(server, { calls });
}

const usage = (inTokens: number, outTokens: number, thoughts = 0, details?: { modality: string; tokenCount: number }[]) => ({
  promptTokenCount: inTokens,
  candidatesTokenCount: outTokens,
  thoughtsTokenCount: thoughts,
  totalTokenCount: inTokens + outTokens + thoughts,
  ...(details ? { candidatesTokensDetails: details } : {}),
});

/** What an image answer reports: 1290 image tokens for the picture, and the model's own thinking. */
export const IMAGE_USAGE = { in: 60, imageTokens: 1290, thoughts: 240 };

/** A text answer as Gemini sends it. */
export function textReply(text: string, tokens = { in: 1200, out: 2400 }): Reply {
  return {
    body: {
      candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: usage(tokens.in, tokens.out),
      modelVersion: 'fake',
    },
  };
}

export function jsonReply(value: unknown, tokens?: { in: number; out: number }): Reply {
  return textReply(JSON.stringify(value), tokens);
}

/** An image answer: one inlineData part with a PNG. */
export function imageReply(png: Buffer, delayMs = 0): Reply {
  return {
    delayMs,
    body: {
      candidates: [{ content: { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: png.toString('base64') } }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: usage(IMAGE_USAGE.in, IMAGE_USAGE.imageTokens, IMAGE_USAGE.thoughts, [{ modality: 'IMAGE', tokenCount: IMAGE_USAGE.imageTokens }]),
    },
  };
}

/** What Gemini image models send when the picture would break policy: no image, finishReason IMAGE_SAFETY. */
export function safetyReply(): Reply {
  return {
    body: {
      candidates: [{ content: { role: 'model', parts: [] }, finishReason: 'IMAGE_SAFETY', finishMessage: 'Unable to show the generated image because it may violate our policies.', index: 0 }],
      usageMetadata: usage(60, 0),
    },
  };
}

/** A solid-colour PNG of w x h (RGB), colour from `seed`. */
export function png(w: number, h: number, seed = 0): Buffer {
  const crc = (b: Buffer) => zlib.crc32(b);
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const row = Buffer.alloc(1 + w * 3);
  for (let x = 0; x < w; x++) row.set([(seed * 53) % 256, (seed * 97 + 80) % 256, (seed * 31 + 160) % 256], 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A script of `n` scenes as the writer's schema wants it, built from the prompt's topic line. */
export function fakeScript(prompt: string, n = 10) {
  const topic = /about: (.+)/.exec(prompt)?.[1] ?? 'the topic';
  return {
    title: `The Secret of ${topic}`,
    hook: `Nobody expected ${topic} to survive. Yet it did.`,
    style: 'sepia albumen photograph, 1890s, soft window light, film grain',
    scenes: Array.from({ length: n }, (_, i) => ({
      title: `Part ${i + 1}`,
      narration: `This is what the record says about ${topic}, part ${i + 1}. The sources agree on little. One letter survives.`,
      visual: `an archive table with documents about ${topic}, item ${i + 1}`,
      search: `${topic} document`,
    })),
  };
}

export function fakeMetadata(prompt: string) {
  const topic = /topic: (.+)/.exec(prompt)?.[1] ?? 'the topic';
  return {
    title: `${topic}: what the archive remembers`,
    description: `A documentary about ${topic}, told from the surviving record.`,
    tags: [topic.toLowerCase(), 'history', 'documentary'],
    thumbnailHeadline: 'What Survived',
  };
}

/**
 * Answers like a working Gemini: scripts (grounded when asked with the googleSearch tool, every scene
 * but `ungrounded` backed), claims, metadata, safer prompts and images, with optional latency.
 */
export function geminiWriterAnswer(opts: { imageDelayMs?: number; textDelayMs?: number; scenes?: number; ungrounded?: number[] } = {}): GeminiAnswer {
  return (req) => {
    if (req.image) return imageReply(png(64, 36, req.prompt.length), opts.imageDelayMs);
    const reply = req.schema?.properties?.scenes
      ? req.grounded
        ? groundedScriptReply(fakeScript(req.prompt, opts.scenes), /about: (.+)/.exec(req.prompt)?.[1] ?? 'the topic', opts)
        : jsonReply(fakeScript(req.prompt, opts.scenes))
      : req.schema?.properties?.claims
        ? claimsReply(req.prompt)
      : req.schema?.properties?.thumbnailHeadline
        ? jsonReply(fakeMetadata(req.prompt))
        : textReply('an empty museum hall with a display case, sepia albumen photograph');
    return { ...reply, delayMs: opts.textDelayMs };
  };
}
