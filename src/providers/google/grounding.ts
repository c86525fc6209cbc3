import type { GenerateContentResponse } from '@google/genai';
import type { Research } from '../types.js';

/**
 * What a grounded answer says about its sources (`groundingMetadata`), turned into the script's research:
 * the search queries, the web sources (`groundingChunks`) and, per scene, the passages of narration that
 * `groundingSupports` tie to them. Segment offsets count UTF-8 bytes within one text part of the answer,
 * here the JSON of the script, so each scene's narration is found by its byte range in that text.
 */

const REDIRECT_HOST = 'vertexaisearch.cloud.google.com';

/** The site a web chunk comes from: its `domain` (Vertex AI), a title that is a host name (the Gemini API's), or the URL's host. */
export function domainOf(web: { uri?: string; title?: string; domain?: string }): string | null {
  if (web.domain) return web.domain;
  if (web.title && /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(web.title.trim())) return web.title.trim().toLowerCase();
  try {
    const host = new URL(web.uri ?? '').hostname;
    return host && host !== REDIRECT_HOST ? host.replace(/^www\./, '') : null;
  } catch {
    return null;
  }
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Where each text of each scene sits in `text`, in bytes: the JSON string of every text, found in order. */
function sceneRanges(text: string, scenes: { scene: number; texts: string[] }[]): { scene: number; start: number; end: number }[] {
  const ranges: { scene: number; start: number; end: number }[] = [];
  let from = 0;
  for (const { scene, texts } of scenes) {
    for (const t of texts) {
      const quoted = JSON.stringify(t).slice(1, -1);
      const at = text.indexOf(quoted, from);
      if (at < 0) continue;
      const start = bytes(text.slice(0, at));
      ranges.push({ scene, start, end: start + bytes(quoted) });
      from = at + quoted.length;
    }
  }
  return ranges;
}

/** A piece of the answer's JSON text as plain words (its escapes undone where they are whole). */
function unescape(fragment: string): string {
  try {
    return JSON.parse(`"${fragment}"`);
  } catch {
    return fragment;
  }
}

/**
 * The research of a grounded script answer. `scenes` are each scene's texts as the answer's JSON holds
 * them (scene 1: the hook and its narration); a support that falls in none of them backs no scene.
 */
export function researchOf(r: GenerateContentResponse, scenes: { scene: number; texts: string[] }[]): Research {
  const candidate = r.candidates?.[0];
  const gm = candidate?.groundingMetadata;
  const sources: Research['sources'] = [];
  const sourceOf = new Map<number, number>(); // chunk index -> source index
  const byUrl = new Map<string, number>();
  for (const [i, chunk] of (gm?.groundingChunks ?? []).entries()) {
    const web = chunk.web;
    if (!web?.uri) continue;
    let at = byUrl.get(web.uri);
    if (at === undefined) {
      at = sources.push({ url: web.uri, title: web.title?.trim() || null, domain: domainOf(web) }) - 1;
      byUrl.set(web.uri, at);
    }
    sourceOf.set(i, at);
  }
  // the byte offset at which each text part starts within the answer's text (thoughts are not part of it)
  const partStart = new Map<number, number>();
  let offset = 0;
  const parts = candidate?.content?.parts ?? [];
  for (const [i, p] of parts.entries()) {
    if (typeof p.text !== 'string' || p.thought) continue;
    partStart.set(i, offset);
    offset += bytes(p.text);
  }
  const text = parts.filter((p) => typeof p.text === 'string' && !p.thought).map((p) => p.text).join('');
  const ranges = sceneRanges(text, scenes);
  const passages: Research['passages'] = [];
  for (const support of gm?.groundingSupports ?? []) {
    const seg = support.segment ?? {};
    const base = partStart.get(seg.partIndex ?? 0) ?? 0;
    const start = base + (seg.startIndex ?? 0); // proto3 JSON leaves a 0 out
    const end = base + (seg.endIndex ?? 0);
    const ids = [...new Set((support.groundingChunkIndices ?? []).map((c) => sourceOf.get(c)).filter((x): x is number => x !== undefined))];
    if (!ids.length || end <= start) continue;
    let best: { scene: number; overlap: number } | null = null;
    for (const range of ranges) {
      const overlap = Math.min(end, range.end) - Math.max(start, range.start);
      if (overlap > 0 && (!best || overlap > best.overlap)) best = { scene: range.scene, overlap };
    }
    const words = unescape(seg.text ?? Buffer.from(text).subarray(start, end).toString('utf8')).trim();
    // a segment whose offsets do not land in a narration is matched by its words instead
    const scene = best?.scene ?? scenes.find((s) => words.length > 10 && s.texts.some((t) => t.includes(words)))?.scene;
    if (scene !== undefined) passages.push({ scene, text: words, sources: ids });
  }
  return { origin: 'search', queries: gm?.webSearchQueries ?? [], sources, passages };
}
