import { GoogleGenAI, type GenerateContentResponse, type Content } from '@google/genai';
import { z } from 'zod';
import { limiter } from '../../concurrency.js';
import type { Config } from '../../config.js';
import { metered } from '../../costs.js';
import { PermanentError } from '../../errors.js';
import type { Meter, MeteredCall, Usage } from '../types.js';
import { GEMINI_KEY_HINT, VERTEX_DEFAULT_LOCATION, geminiAuth } from './credentials.js';
import { repairPrompt } from './prompts.js';
import { type CallInfo, type RetryPolicy, seconds, withRetry } from './retry.js';

/** What the Gemini providers share: one lazily built client, the retry policy and the JSON helper. */

export type GoogleConfig = Config['google'];

type Limit = <T>(fn: () => Promise<T>) => Promise<T>;
const limits = new WeakMap<GoogleConfig, Record<'text' | 'image' | 'speech', Limit>>();

/**
 * The per-provider limits of `google.concurrency`, one set per loaded config: the writer and the
 * illustrator's safer-prompt requests share the text limit.
 */
export function googleLimits(google: GoogleConfig): Record<'text' | 'image' | 'speech', Limit> {
  let l = limits.get(google);
  if (!l) {
    l = { text: limiter(google.concurrency.text), image: limiter(google.concurrency.image), speech: limiter(google.concurrency.speech) };
    limits.set(google, l);
  }
  return l;
}

/**
 * fetch for @google/genai that keeps a Retry-After header: the SDK's ApiError carries only the body,
 * so the header's wait goes into the body as the RetryInfo Google itself uses, where the retry
 * policy reads it.
 */
async function fetchKeepingRetryAfter(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init);
  const wait = res.ok ? undefined : seconds(res.headers.get('retry-after') ?? '');
  if (wait === undefined) return res;
  const text = await res.text();
  let body: { error?: { details?: unknown[] } & Record<string, unknown> };
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: { code: res.status, message: text, status: res.statusText } };
  }
  body.error ??= {};
  body.error.details = [...(body.error.details ?? []), { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${wait}s` }];
  return new Response(JSON.stringify(body), { status: res.status, statusText: res.statusText, headers: { 'content-type': 'application/json' } });
}

/** The client, built on first use so that commands that never call Gemini need no key. */
export function lazyGemini(google: GoogleConfig, env: NodeJS.ProcessEnv = process.env): { client: () => GoogleGenAI; credentials: string; notFound?: string } {
  let client: GoogleGenAI | null = null;
  const auth = geminiAuth(env);
  const regional = 'kind' in auth && auth.kind === 'vertex' && auth.location !== VERTEX_DEFAULT_LOCATION;
  return {
    credentials: `check GEMINI_API_KEY (or the Vertex AI project) and that the Gemini API is enabled for it; ${GEMINI_KEY_HINT}`,
    // the usual cause of a 404 on Vertex AI: current models are served from the global location only
    notFound: regional
      ? `on Vertex AI current Gemini models are served from the ${VERTEX_DEFAULT_LOCATION} location only, and GOOGLE_CLOUD_LOCATION is ${(auth as { location: string }).location}: unset it (or set it to ${VERTEX_DEFAULT_LOCATION})`
      : undefined,
    client() {
      if (client) return client;
      if ('missing' in auth) throw new PermanentError(`Gemini cannot be used: ${auth.missing}`);
      const httpOptions = { ...(google.endpoints.gemini ? { baseUrl: google.endpoints.gemini } : {}), fetch: fetchKeepingRetryAfter };
      client =
        auth.kind === 'apiKey'
          ? new GoogleGenAI({ apiKey: auth.apiKey, httpOptions })
          : new GoogleGenAI({ vertexai: true, project: auth.project, location: auth.location, httpOptions });
      return client;
    },
  };
}

/** Doctor's one cheap call: the model's metadata (`models.get`), which costs nothing. */
export async function checkModel(google: GoogleConfig, gemini: ReturnType<typeof lazyGemini>, model: string, key: string, signal: AbortSignal): Promise<string> {
  const m = await withRetry(() => gemini.client().models.get({ model, config: { abortSignal: signal } }), {
    policy: { ...google.retry, attempts: 1 },
    info: { service: 'Gemini', what: `looking up model ${model}`, setting: { key, value: model }, credentials: gemini.credentials, notFound: gemini.notFound },
    signal,
  });
  return `${m.name ?? model} answers`;
}

/**
 * What a response used: tokens in, tokens out (text and thinking: both bill at the output rate) and
 * the images it returned. Image tokens are left out of `tokensOut`, since images are priced per image.
 */
export function geminiUsage(r: GenerateContentResponse): Usage {
  const u = r.usageMetadata;
  const images = (r.candidates ?? []).flatMap((c) => c.content?.parts ?? []).filter((p) => p.inlineData?.mimeType?.startsWith('image/')).length;
  const details = u?.candidatesTokensDetails;
  // without a breakdown, an answer with images is taken as all image tokens
  const imageTokens = details ? details.filter((d) => d.modality === 'IMAGE').reduce((n, d) => n + (d.tokenCount ?? 0), 0) : images ? (u?.candidatesTokenCount ?? 0) : 0;
  const candidates = Math.max(0, (u?.candidatesTokenCount ?? 0) - imageTokens);
  // grounded answers: each Google Search query the model ran is billed (groundingMetadata.webSearchQueries)
  const searchQueries = r.candidates?.[0]?.groundingMetadata?.webSearchQueries?.length ?? 0;
  return { tokensIn: u?.promptTokenCount ?? 0, tokensOut: candidates + (u?.thoughtsTokenCount ?? 0), images, ...(searchQueries ? { searchQueries } : {}) };
}

/** Why Gemini gave no usable answer (blocked prompt, safety stop), or null. */
export function refusalOf(r: GenerateContentResponse): string | null {
  const block = r.promptFeedback?.blockReason;
  if (block) return `prompt blocked: ${block}${r.promptFeedback?.blockReasonMessage ? ` (${r.promptFeedback.blockReasonMessage})` : ''}`;
  const c = r.candidates?.[0];
  if (!c) return 'no answer (no candidates)';
  const reason = String(c.finishReason ?? '');
  if (/SAFETY|PROHIBITED|BLOCKLIST|SPII|RECITATION/.test(reason)) return `stopped: ${reason}${c.finishMessage ? ` (${c.finishMessage})` : ''}`;
  return null;
}

export interface GeminiCall {
  ai: () => GoogleGenAI;
  model: string;
  policy: RetryPolicy;
  info: CallInfo;
  signal: AbortSignal;
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  meter?: Meter;
  metering: Omit<MeteredCall, 'usage'> & { usage: Usage };
}

/** One generateContent call under the limiter, the retry policy and the meter. */
export function generate(call: GeminiCall, contents: Content[], config: Record<string, unknown>): Promise<GenerateContentResponse> {
  return metered(call.meter, call.metering, async () => {
    const r = await withRetry(
      // (a signal of its own per request: the SDK leaves a listener on the one it is given)
      () => call.limit(() => call.ai().models.generateContent({ model: call.model, contents, config: { ...config, abortSignal: AbortSignal.any([call.signal]) } })),
      { policy: call.policy, info: call.info, signal: call.signal },
    );
    return { result: r, usage: geminiUsage(r) };
  });
}

/** A JSON Schema for Gemini's `responseJsonSchema` from the zod schema that validates the answer. */
export function responseSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

function issuesOf(text: string | undefined, schema: z.ZodType): { ok: true; value: unknown } | { ok: false; issues: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch (err) {
    return { ok: false, issues: `not valid JSON (${(err as Error).message.slice(0, 120)})` };
  }
  const r = schema.safeParse(parsed);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, issues: r.error.issues.slice(0, 8).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ') };
}

/**
 * Structured output: asks for JSON matching `schema`, validates it on arrival and, when it does not
 * match, asks once more with the problems listed; a second miss is a PermanentError that says so.
 */
export async function generateJson<S extends z.ZodType>(
  call: GeminiCall,
  opts: { system: string; prompt: string; schema: S; what: string; /** pictures sent after the prompt, in order */ images?: { mimeType: string; data: Buffer }[] },
): Promise<z.output<S>> {
  return (await generateJsonAnswer(call, opts)).value;
}

/**
 * generateJson that also returns the answer it took, with its text (what groundingMetadata's segment
 * offsets point into); `tools` go with the request (`[{ googleSearch: {} }]` for a grounded call).
 */
export async function generateJsonAnswer<S extends z.ZodType>(
  call: GeminiCall,
  opts: { system: string; prompt: string; schema: S; what: string; tools?: Record<string, unknown>[]; images?: { mimeType: string; data: Buffer }[] },
): Promise<{ value: z.output<S>; text: string; response: GenerateContentResponse }> {
  const pictures = (opts.images ?? []).map((i) => ({ inlineData: { mimeType: i.mimeType, data: i.data.toString('base64') } }));
  const contents: Content[] = [{ role: 'user', parts: [{ text: opts.prompt }, ...pictures] }];
  const config = {
    systemInstruction: opts.system,
    responseMimeType: 'application/json',
    responseJsonSchema: responseSchemaOf(opts.schema),
    ...(opts.tools ? { tools: opts.tools } : {}),
  };
  let firstIssues = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    const r = await generate(call, contents, config);
    const refused = refusalOf(r);
    if (refused) throw new PermanentError(`Gemini (${call.model}) refused to write ${opts.what}: ${refused}. Rephrase the topic`);
    const text = r.text;
    const checked = issuesOf(text, opts.schema);
    if (checked.ok) return { value: checked.value as z.output<S>, text: text ?? '', response: r };
    if (attempt === 2) {
      throw new PermanentError(
        `Gemini (${call.model}) returned ${opts.what} that does not match the expected shape, twice (first: ${firstIssues}; after the repair request: ${checked.issues}). ` +
          'Retry the story (`lost-archives retry ID`), or set google.models.text to another model',
      );
    }
    firstIssues = checked.issues;
    contents.push({ role: 'model', parts: [{ text: text ?? '' }] }, { role: 'user', parts: [{ text: repairPrompt(checked.issues) }] });
  }
  throw new Error('unreachable');
}
