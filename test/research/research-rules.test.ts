import type { GenerateContentResponse } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import type { StoryResearch } from '../../src/db/research.js';
import { PermanentError } from '../../src/errors.js';
import { researchOf } from '../../src/providers/google/grounding.js';
import { figuresOf, judgeClaims } from '../../src/providers/text/claims.js';
import { geminiWriter } from '../../src/providers/text/gemini.js';
import { parseScriptMarkdown } from '../../src/providers/text/markdown.js';
import type { Research } from '../../src/providers/types.js';
import { DESCRIPTION_MAX_BYTES, sourcesSection, withSources } from '../../src/stages/description/sources.js';
import { FAKE_GEMINI_KEY, startGeminiFake } from '../fakes/gemini.js';

/** The rules of research without a database: the fake's refusals, grounding offsets, verdicts, the description section. */

describe('the Gemini fake refuses tools as the API does', () => {
  let fake: Awaited<ReturnType<typeof startGeminiFake>>;
  beforeAll(async () => (fake = await startGeminiFake()));
  afterAll(() => fake.close());
  const post = async (model: string, body: object) => {
    const res = await fetch(`${fake.url}/v1beta/models/${model}:generateContent`, { method: 'POST', headers: { 'x-goog-api-key': FAKE_GEMINI_KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };
  const contents = [{ role: 'user', parts: [{ text: 'Who built the Antikythera mechanism?' }] }];

  it('answers a grounded request with groundingMetadata in the REST shape', async () => {
    const r = await post('gemini-3.8-flash', { contents: [{ role: 'user', parts: [{ text: 'Write a documentary script about: Tea' }] }], tools: [{ googleSearch: {} }], generationConfig: { responseMimeType: 'application/json', responseJsonSchema: { type: 'object', properties: { scenes: { type: 'array' } } } } });
    expect(r.status).toBe(200);
    const gm = r.body.candidates[0].groundingMetadata;
    expect(Object.keys(gm).sort()).toEqual(['groundingChunks', 'groundingSupports', 'searchEntryPoint', 'webSearchQueries']);
    expect(gm.groundingChunks[0]).toEqual({ web: { uri: expect.stringMatching(/^https:\/\/vertexaisearch\.cloud\.google\.com\/grounding-api-redirect\//), title: 'wikipedia.org' } });
    const text: string = r.body.candidates[0].content.parts[0].text;
    for (const s of gm.groundingSupports) {
      // byte offsets into the text part, the segment's text is exactly those bytes
      expect(Buffer.from(text).subarray(s.segment.startIndex ?? 0, s.segment.endIndex).toString()).toBe(s.segment.text);
      expect(s.groundingChunkIndices.every((i: number) => i < gm.groundingChunks.length)).toBe(true);
    }
    expect(typeof gm.searchEntryPoint.renderedContent).toBe('string');
  });

  it('refuses googleSearch for a model without search grounding, unknown tool fields and the retired googleSearchRetrieval', async () => {
    const cases: [string, object, RegExp][] = [
      ['gemma-3-27b-it', { contents, tools: [{ googleSearch: {} }] }, /^Search Grounding is not supported\.$/],
      ['gemini-3.8-flash', { contents, tools: [{ googleSearch: {}, webSearch: {} }] }, /Unknown name "webSearch" at 'tools\[0\]': Cannot find field\./],
      ['gemini-3.8-flash', { contents, tools: [{ googleSearch: { maxQueries: 3 } }] }, /Unknown name "maxQueries" at 'tools\[0\]\.google_search'/],
      ['gemini-3.8-flash', { contents, tools: [{ googleSearchRetrieval: {} }] }, /use google_search field instead of google_search_retrieval/],
      ['gemma-3-27b-it', { contents, generationConfig: { responseMimeType: 'application/json' } }, /JSON mode is not enabled for models\/gemma-3-27b-it/],
    ];
    for (const [model, body, message] of cases) {
      const r = await post(model, body);
      expect(r.status).toBe(400);
      expect(r.body.error.status).toBe('INVALID_ARGUMENT');
      expect(r.body.error.message).toMatch(message);
    }
  });

  it('a writer set to a model without search grounding fails at once, naming google.models.text', async () => {
    const google = parseConfig({ providers: { text: 'gemini' }, google: { models: { text: 'gemma-3-27b-it' }, endpoints: { gemini: fake.url }, retry: { attempts: 2, baseSeconds: 0.01 } } }, 'test').google;
    const before = fake.calls.length;
    const err = await geminiWriter(google, { GEMINI_API_KEY: FAKE_GEMINI_KEY }).writeScript({ topic: 'Tea', language: 'en-US' }, AbortSignal.timeout(30_000)).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/Search Grounding is not supported/);
    expect(err.message).toMatch(/google\.models\.text is "gemma-3-27b-it", which does not take Grounding with Google Search/);
    expect(fake.calls.length - before).toBe(1);
  });
});

describe('grounding offsets', () => {
  it('maps supports to scenes by UTF-8 byte offsets, in the part they name, with multibyte text before them', () => {
    const script = { hook: 'Ελιά — an olive.', scenes: [{ narration: 'Καλημέρα. The olive tree grew in 1200 BC.' }, { narration: 'Then came the press, in 600 BC.' }] };
    const lead = '{"note":"ignored"}';
    const text = JSON.stringify(script);
    const at = (s: string) => Buffer.byteLength(text.slice(0, text.indexOf(s)));
    const seg = (s: string, partIndex?: number) => ({ ...(partIndex ? { partIndex } : {}), startIndex: at(s), endIndex: at(s) + Buffer.byteLength(s), text: s });
    const r = {
      candidates: [
        {
          content: { parts: [{ text: 'thinking…', thought: true }, { text: lead }, { text }] },
          groundingMetadata: {
            webSearchQueries: ['olive history'],
            groundingChunks: [{ web: { uri: 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/a', title: 'olives.example' } }, { web: { uri: 'https://www.museum.example/press', title: 'The Press' } }],
            groundingSupports: [
              { segment: seg('The olive tree grew in 1200 BC.', 2), groundingChunkIndices: [0] },
              { segment: seg('Then came the press, in 600 BC.', 2), groundingChunkIndices: [1, 0, 7] },
            ],
          },
        },
      ],
    } as unknown as GenerateContentResponse;
    // the offsets above are within part 2; the answer's text is part 1 then part 2
    const shifted = r.candidates![0].groundingMetadata!.groundingSupports!.map((s) => s.segment!);
    expect(shifted[0].startIndex).toBeGreaterThan(0);
    const research = researchOf(r, [
      { scene: 1, texts: [script.hook, script.scenes[0].narration] },
      { scene: 2, texts: [script.scenes[1].narration] },
    ]);
    expect(research.queries).toEqual(['olive history']);
    expect(research.sources).toEqual([
      { url: 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/a', title: 'olives.example', domain: 'olives.example' },
      { url: 'https://www.museum.example/press', title: 'The Press', domain: 'museum.example' },
    ]);
    expect(research.passages).toEqual([
      { scene: 1, text: 'The olive tree grew in 1200 BC.', sources: [0] },
      { scene: 2, text: 'Then came the press, in 600 BC.', sources: [1, 0] },
    ]);
  });
});

describe('verdicts', () => {
  const research: Research = { origin: 'search', queries: [], sources: [{ url: 'u', title: null, domain: null }], passages: [{ scene: 2, text: 'The library held 40,000 scrolls in 48 BC.', sources: [0] }] };
  it('a claim is supported only by a passage of its own scene that holds every figure it states', () => {
    expect(figuresOf('40,000 scrolls in 48 BC; 1.5 km')).toEqual(['40000', '48', '1.5']);
    const claims = judgeClaims(
      [
        { scene: 2, text: 'The library held 40000 scrolls.', kind: 'number', passage: 1 },
        { scene: 2, text: 'The library held 400,000 scrolls.', kind: 'number', passage: 1 },
        { scene: 3, text: 'It burned in 48 BC.', kind: 'date', passage: 1 },
        { scene: 2, text: 'Caesar was there.', kind: 'name', passage: null },
        { scene: 2, text: 'It held scrolls.', kind: 'other', passage: 9 },
        { scene: 12, text: 'A scene that does not exist.', kind: 'other', passage: 1 },
      ],
      research,
      3,
    );
    expect(claims.map((c) => [c.verdict, c.sources])).toEqual([
      ['supported', [1]],
      ['unsupported', []],
      ['unsupported', []],
      ['unsupported', []],
      ['unsupported', []],
    ]);
  });
});

describe("the operator's sources", () => {
  it('reads links in a scene, Source: lines and a Sources: list, and does not narrate them', () => {
    const { draft } = parseScriptMarkdown(
      [
        '# The Tower',
        '## Beginning',
        'The tower was built in 1602, as [the archive](https://example.org/tower) records. https://www.history.example/a',
        '## End',
        'It fell in 1700.',
        'Source: https://other.example/x',
        '',
        'Sources:',
        '- [Book of Towers](https://books.example/towers)',
        '- https://example.org/tower',
      ].join('\n'),
      't.md',
    );
    expect(draft.scenes.map((s) => s.text_content)).toEqual(['The tower was built in 1602, as the archive records.', 'It fell in 1700.']);
    expect(draft.research!.sources.map((s) => [s.url, s.title, s.domain])).toEqual([
      ['https://example.org/tower', 'the archive', 'example.org'],
      ['https://www.history.example/a', null, 'history.example'],
      ['https://other.example/x', null, 'other.example'],
      ['https://books.example/towers', 'Book of Towers', 'books.example'],
    ]);
    expect(draft.research!.passages.map((p) => [p.scene, p.sources])).toEqual([
      [1, [0, 1]],
      [2, [2]],
      [null, [3, 0]],
    ]);
  });
});

describe('the Sources section of the description', () => {
  const source = (position: number, citations: number, title = `Source ${position}`): StoryResearch['sources'][number] => ({
    position, url: `https://example.org/${position}/${'x'.repeat(60)}`, title, domain: 'example.org', retrieved_at: new Date(0), citations, scenes: [],
  });
  it('lists the most-cited first, fits its byte budget, and says how many it left out', () => {
    const sources = [source(1, 1), source(2, 7), source(3, 3, 'Ελληνικά αρχεία'), ...Array.from({ length: 30 }, (_, i) => source(i + 4, 0))];
    const whole = sourcesSection({ origin: 'search', sources }, 100_000);
    expect(whole.split('\n').slice(0, 4)).toEqual(['Sources:', `- Source 2 (example.org): ${sources[1].url}`, `- Ελληνικά αρχεία (example.org): ${sources[2].url}`, `- Source 1 (example.org): ${sources[0].url}`]);
    for (const budget of [400, 1000, 1777]) {
      const part = sourcesSection({ origin: 'search', sources }, budget);
      expect(Buffer.byteLength(part)).toBeLessThanOrEqual(budget);
      const listed = part.split('\n').filter((l) => l.startsWith('- ')).length;
      expect(part.endsWith(`…and ${sources.length - listed} more`)).toBe(true);
    }
    // not even one source and the count fit: no section rather than a heading alone
    expect(sourcesSection({ origin: 'search', sources }, 120)).toBe('');
  });

  it('fills what the description leaves of 5000 bytes, and says "none" honestly', () => {
    const long = { title: 't', description: 'ä'.repeat(2300), tags: [], chapters: [], preview: false };
    const sources = Array.from({ length: 40 }, (_, i) => source(i + 1, 40 - i));
    const m = withSources(long, { origin: 'search', sources });
    expect(Buffer.byteLength(m.description)).toBeLessThanOrEqual(DESCRIPTION_MAX_BYTES);
    expect(Buffer.byteLength(m.description)).toBeGreaterThan(DESCRIPTION_MAX_BYTES - 200);
    expect(m.description).toMatch(/\n\nSources:\n- Source 1 \(/);
    expect(withSources(long, { origin: 'none', sources: [] }).description).toMatch(/Sources: none\. This script is an offline placeholder; it was not researched\.$/);
    expect(withSources(long, { origin: 'search', sources: [] }).description).toMatch(/Sources: none\. The writer found no web sources/);
    expect(withSources(long, { origin: null, sources: [] }).description).toBe(long.description);
  });
});
