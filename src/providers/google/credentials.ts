/**
 * Google credentials, from the environment only (never the config file, never logged).
 * Gemini: GEMINI_API_KEY (or GOOGLE_API_KEY, which the SDK prefers when both are set), or Vertex AI
 * with GOOGLE_GENAI_USE_VERTEXAI=true and GOOGLE_CLOUD_PROJECT (Application Default Credentials);
 * GOOGLE_CLOUD_LOCATION defaults to `global`, the only location current Gemini models (gemini-3.8-flash
 * among them) are served from: a regional one such as us-central1 answers them with 404. Cloud TTS: GOOGLE_OAUTH_ACCESS_TOKEN (a short-lived token) or Application
 * Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's login, or the metadata server).
 */

export type GeminiAuth = { kind: 'apiKey'; apiKey: string } | { kind: 'vertex'; project: string; location: string };

export const GEMINI_KEY_HINT =
  'set GEMINI_API_KEY (create a key at https://aistudio.google.com/apikey), or for Vertex AI set GOOGLE_GENAI_USE_VERTEXAI=true and GOOGLE_CLOUD_PROJECT';

/** Vertex AI's location when GOOGLE_CLOUD_LOCATION is not set. */
export const VERTEX_DEFAULT_LOCATION = 'global';

export const TTS_CREDENTIALS_HINT =
  'set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file with the Cloud Text-to-Speech API enabled, or run `gcloud auth application-default login`';

/** The Gemini credentials in `env`, or a sentence naming the missing variable. */
export function geminiAuth(env: NodeJS.ProcessEnv): GeminiAuth | { missing: string } {
  const apiKey = env.GOOGLE_API_KEY || env.GEMINI_API_KEY;
  if (apiKey) return { kind: 'apiKey', apiKey };
  if (/^(1|true)$/i.test(env.GOOGLE_GENAI_USE_VERTEXAI ?? '')) {
    if (env.GOOGLE_CLOUD_PROJECT) return { kind: 'vertex', project: env.GOOGLE_CLOUD_PROJECT, location: env.GOOGLE_CLOUD_LOCATION || VERTEX_DEFAULT_LOCATION };
    return { missing: 'GOOGLE_GENAI_USE_VERTEXAI is set but GOOGLE_CLOUD_PROJECT is not' };
  }
  return { missing: `GEMINI_API_KEY is not set: ${GEMINI_KEY_HINT}` };
}
