import type { Reply } from './http.js';

/**
 * Grounded answers as the Gemini API's REST surface sends them: `candidates[0].groundingMetadata` with
 * `webSearchQueries`, `searchEntryPoint.renderedContent`, `groundingChunks[].web {uri, title}` (a
 * vertexaisearch redirect URI, the site's domain as title) and `groundingSupports[]` whose `segment`
 * gives UTF-8 byte offsets into the answer's text part (a 0 offset left out, as proto3 JSON does).
 */

export const FAKE_SITES = ['wikipedia.org', 'britannica.com', 'archives.gov'];
export const FAKE_QUERIES = (topic: string) => [`${topic} history`, `${topic} archive records`, `${topic} primary sources`];

const redirect = (i: number) => `https://vertexaisearch.cloud.google.com/grounding-api-redirect/AUZIYQ${'Fk3'.repeat(20)}${i}`;

function segment(text: string, sentence: string, from = 0): { startIndex?: number; endIndex: number; text: string } | null {
  const quoted = JSON.stringify(sentence).slice(1, -1);
  const at = text.indexOf(quoted, from);
  if (at < 0) return null;
  const start = Buffer.byteLength(text.slice(0, at));
  return { ...(start ? { startIndex: start } : {}), endIndex: start + Buffer.byteLength(quoted), text: quoted };
}

/**
 * A grounded script: every scene's first sentence backed by a source (scene 1's, and the hook, by the
 * first site too, so it is the most cited), except the scenes in `ungrounded`.
 */
export function groundedScriptReply(
  script: { hook: string; scenes: { title: string; narration: string }[] },
  topic: string,
  opts: { ungrounded?: number[] } = {},
): Reply {
  const text = JSON.stringify(script);
  const supports: { segment: object; groundingChunkIndices: number[] }[] = [];
  const hook = segment(text, script.hook.split('. ')[0] + '.');
  if (hook) supports.push({ segment: hook, groundingChunkIndices: [0] });
  for (const [i, scene] of script.scenes.entries()) {
    if (opts.ungrounded?.includes(i + 1)) continue;
    const seg = segment(text, scene.narration.split('. ')[0] + '.', text.indexOf(`"title":"${scene.title}"`));
    if (seg) supports.push({ segment: seg, groundingChunkIndices: i === 0 ? [0, 1] : [i % FAKE_SITES.length] });
  }
  return {
    body: {
      candidates: [
        {
          content: { role: 'model', parts: [{ text }] },
          finishReason: 'STOP',
          index: 0,
          groundingMetadata: {
            searchEntryPoint: { renderedContent: '<style>.container { display: flex; }</style><div class="container"><a class="chip" href="https://www.google.com/search?q=x">x</a></div>' },
            groundingChunks: FAKE_SITES.map((title, i) => ({ web: { uri: redirect(i), title } })),
            groundingSupports: supports,
            webSearchQueries: FAKE_QUERIES(topic),
          },
        },
      ],
      usageMetadata: { promptTokenCount: 1200, candidatesTokenCount: 2400, thoughtsTokenCount: 0, totalTokenCount: 3600 },
      modelVersion: 'fake',
    },
  };
}

/**
 * The claims answer of a careful checker: one claim a scene (its "part N" sentence), pointed at the
 * passage of that scene that states it, or null when the prompt lists none.
 */
export function claimsReply(prompt: string): Reply {
  const scenes = [...prompt.matchAll(/^Scene (\d+): (.+)$/gm)].map((m) => ({ scene: Number(m[1]), text: m[2] }));
  const passages = [...prompt.matchAll(/^\[P(\d+)\] \((?:scene (\d+)|whole script)\) (.+)$/gm)].map((m) => ({ id: Number(m[1]), scene: m[2] ? Number(m[2]) : null, text: m[3] }));
  const claims = scenes.map(({ scene, text }) => {
    const sentence = /[^.]*part \d+\./.exec(text)?.[0].trim() ?? text.split('. ')[0];
    const passage = passages.find((p) => (p.scene === scene || p.scene === null) && (p.scene === null || p.text.includes(sentence)));
    return { scene, text: sentence, kind: 'number', passage: passage?.id ?? null };
  });
  return { body: { candidates: [{ content: { role: 'model', parts: [{ text: JSON.stringify({ claims }) }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 3000, candidatesTokenCount: 900, totalTokenCount: 3900 } } };
}
