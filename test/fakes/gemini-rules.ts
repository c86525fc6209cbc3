import { type Reply, googleError } from './http.js';

/**
 * What the Gemini API's `models.generateContent` and `models.get` refuse, with its error bodies. Each
 * rule names what it mirrors: the troubleshooting page (https://ai.google.dev/gemini-api/docs/troubleshooting:
 * 400 INVALID_ARGUMENT for a malformed request, 404 NOT_FOUND for an unknown model) and the
 * GenerationConfig reference (https://ai.google.dev/api/generate-content#generationconfig), and the Tool
 * reference (https://ai.google.dev/api/caching#Tool) with the errors the API gives for search grounding:
 * "Search Grounding is not supported." for a model without it, and the pointer from the retired
 * `googleSearchRetrieval` to `googleSearch`.
 */

export interface FakeModel {
  /** what it can answer with */
  modalities: ('TEXT' | 'IMAGE')[];
  /** it takes a thinkingConfig */
  thinking: boolean;
  /** it takes the googleSearch tool (Grounding with Google Search), with structured output (Gemini 3) */
  search: boolean;
  /** it answers in JSON mode (responseMimeType application/json) */
  json: boolean;
}

/**
 * The models this fake serves: the defaults and the ids the README names. Image models think on
 * their own (and bill it, `thoughtsTokenCount`), but this fake gives them no thinkingConfig: we send
 * none, and a change that starts to must check the model's page first.
 */
export const FAKE_MODELS: Record<string, FakeModel> = {
  'gemini-3.8-flash': { modalities: ['TEXT'], thinking: true, search: true, json: true },
  'gemini-3.5-flash': { modalities: ['TEXT'], thinking: true, search: true, json: true },
  'gemini-3.5-flash-lite': { modalities: ['TEXT'], thinking: true, search: true, json: true },
  'gemini-3.1-flash-lite': { modalities: ['TEXT'], thinking: true, search: true, json: true },
  'gemini-3.1-flash-image': { modalities: ['TEXT', 'IMAGE'], thinking: false, search: true, json: true },
  'gemini-3-pro-image': { modalities: ['TEXT', 'IMAGE'], thinking: false, search: true, json: true },
  // an open model the Gemini API serves without search grounding or JSON mode: what a wrong google.models.text meets
  'gemma-3-27b-it': { modalities: ['TEXT'], thinking: false, search: false, json: false },
};

// Tool's fields (the reference's list) and GoogleSearch's; any other is "Invalid JSON payload received"
const TOOL_FIELDS = new Set(['functionDeclarations', 'googleSearchRetrieval', 'codeExecution', 'googleSearch', 'urlContext', 'computerUse', 'fileSearch', 'googleMaps']);
const GOOGLE_SEARCH_FIELDS = new Set(['timeRangeFilter', 'excludeDomains']);

/** The refusal for the request's `tools`, or null. */
function toolRefusal(m: FakeModel, tools: unknown, bad: (message: string) => Reply): Reply | null {
  if (tools === undefined) return null;
  if (!Array.isArray(tools)) return bad(`Invalid JSON payload received. Unknown name "tools": Proto field is not repeating, cannot start list.`);
  for (const [i, tool] of tools.entries()) {
    const unknown = Object.keys(tool ?? {}).find((k) => !TOOL_FIELDS.has(k));
    if (unknown) return bad(`Invalid JSON payload received. Unknown name "${unknown}" at 'tools[${i}]': Cannot find field.`);
    if (tool.googleSearchRetrieval) return bad('Please use google_search field instead of google_search_retrieval field.');
    if (tool.googleSearch !== undefined) {
      const inner = Object.keys(tool.googleSearch ?? {}).find((k) => !GOOGLE_SEARCH_FIELDS.has(k));
      if (inner) return bad(`Invalid JSON payload received. Unknown name "${inner}" at 'tools[${i}].google_search': Cannot find field.`);
      if (!m.search) return bad('Search Grounding is not supported.');
    }
  }
  return null;
}

// GenerationConfig's fields (the reference's list); any other is "Invalid JSON payload received"
const GENERATION_FIELDS = new Set([
  'stopSequences', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'responseModalities', 'candidateCount', 'maxOutputTokens',
  'temperature', 'topP', 'topK', 'seed', 'presencePenalty', 'frequencyPenalty', 'responseLogprobs', 'logprobs', 'enableEnhancedCivicAnswers',
  'speechConfig', 'thinkingConfig', 'imageConfig', 'mediaResolution',
]);
const ASPECT_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];

/** 404 for a model the API does not serve, worded as the API words it. */
export function unknownModel(model: string, method: string): Reply {
  return googleError(404, 'NOT_FOUND', `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`);
}

/** The refusal the real API gives this generateContent request, or null when it would answer. */
export function geminiRefusal(model: string, body: any): Reply | null {
  const m = FAKE_MODELS[model];
  if (!m) return unknownModel(model, 'generateContent');
  const bad = (message: string) => googleError(400, 'INVALID_ARGUMENT', message);
  if (!Array.isArray(body?.contents) || !body.contents.length) return bad('* GenerateContentRequest.contents: contents is not specified');
  const gc = body.generationConfig ?? {};
  const unknown = Object.keys(gc).find((k) => !GENERATION_FIELDS.has(k));
  if (unknown) return bad(`Invalid JSON payload received. Unknown name "${unknown}" at 'generation_config': Cannot find field.`);
  const tools = toolRefusal(m, body.tools, bad);
  if (tools) return tools;
  if (gc.responseMimeType === 'application/json' && !m.json) return bad(`JSON mode is not enabled for models/${model}`);
  const asked = ((gc.responseModalities ?? []) as string[]).map((x) => x.toUpperCase());
  const unsupported = asked.filter((x) => !m.modalities.includes(x as 'TEXT'));
  // the API's words for an image request to a text model
  if (unsupported.length) return bad(`Model does not support the requested response modalities: ${unsupported.map((x) => x.toLowerCase()).join(',')}`);
  // "Thinking is not enabled for models/…": what the API answers a thinkingConfig sent to a model without one
  if (gc.thinkingConfig && !m.thinking) return bad(`Thinking is not enabled for models/${model}`);
  // responseJsonSchema: "If this is set, responseSchema must be omitted, but responseMimeType is required"
  if (gc.responseSchema && gc.responseJsonSchema) return bad('* GenerateContentRequest.generation_config.response_json_schema: response_schema and response_json_schema cannot both be set.');
  if ((gc.responseSchema || gc.responseJsonSchema) && gc.responseMimeType !== 'application/json') {
    return bad('* GenerateContentRequest.generation_config.response_mime_type: must be application/json when a response schema is set.');
  }
  if (gc.imageConfig && !m.modalities.includes('IMAGE')) return bad('Image config is not supported for this model.');
  const ratio = gc.imageConfig?.aspectRatio;
  if (ratio !== undefined && !ASPECT_RATIOS.includes(ratio)) return bad(`Unsupported aspect ratio: ${ratio}. Supported values: ${ASPECT_RATIOS.join(', ')}.`);
  return null;
}
