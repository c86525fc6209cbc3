import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detailView } from '../../src/commands/status.js';
import type { UserConfig } from '../../src/config.js';
import { getResearch } from '../../src/db/research.js';
import { getStory } from '../../src/db/stories.js';
import type { Db } from '../../src/db/types.js';
import { silentLogger } from '../../src/log.js';
import { buildProviders } from '../../src/providers/index.js';
import { folderPublisher } from '../../src/providers/publish/folder.js';
import { parseScriptMarkdown } from '../../src/providers/text/markdown.js';
import { buildStoryRun } from '../../src/run-story.js';
import { PIPELINE } from '../../src/stages/index.js';
import { metadataStage } from '../../src/stages/metadata.js';
import type { Services, StageContext } from '../../src/stages/types.js';
import { createStory, storyDetail } from '../../src/stories.js';
import { FAKE_GEMINI_KEY, geminiWriterAnswer, startGeminiFake } from '../fakes/gemini.js';
import { FAKE_SITES } from '../fakes/grounding.js';
import { freshDb } from '../helpers/db.js';
import { tempDir, testConfig, testServices } from '../helpers/services.js';

/** Where sources show: the description (within 5000 bytes), sources.json, status; the operator's links; offline says "no sources". */

const SCRIPT = PIPELINE.slice(0, 1);

describe('sources where they show', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let fake: Awaited<ReturnType<typeof startGeminiFake>>;
  beforeAll(async () => {
    ({ db, cleanup } = await freshDb('pglite'));
    fake = await startGeminiFake(geminiWriterAnswer({ scenes: 8 }));
  });
  afterAll(async () => {
    await fake.close();
    await cleanup();
  });

  function services(gemini: boolean, extra: UserConfig = {}): Services {
    const config = testConfig({ ...(gemini ? { providers: { text: 'gemini' } } : {}), google: { endpoints: { gemini: fake.url } }, queue: { pollSeconds: 0.05 }, ...extra });
    return { ...testServices(db, config), providers: buildProviders(config, { GEMINI_API_KEY: FAKE_GEMINI_KEY }) };
  }
  const run = (s: Services, id: string) => buildStoryRun(s, SCRIPT, id, { worker: 'sources-test', stop: new AbortController().signal, renderer: 'silent' }).run();
  async function describeStory(s: Services, id: string) {
    await db.query('update scenes set duration_seconds = 12 where story_id = $1', [id]);
    const ctx: StageContext = { ...s, signal: new AbortController().signal, log: silentLogger, progress: () => {} };
    await metadataStage.run((await getStory(db, id))!, ctx);
    return (await getStory(db, id))!.metadata!;
  }

  it('the description carries the grounded sources, most-cited first, within 5000 bytes; the folder publisher writes sources.json', async () => {
    const s = services(true);
    const story = await createStory(s, PIPELINE, { topic: 'The Antikythera Mechanism', language: 'en-US' });
    await run(s, story.id);
    const m = await describeStory(s, story.id);
    expect(Buffer.byteLength(m.description)).toBeLessThanOrEqual(5000);
    const section = m.description.slice(m.description.indexOf('\n\nSources:\n') + 2).split('\n');
    const research = await getResearch(db, story.id);
    // 8 scenes: sites 1 and 2 back 4 passages each (the hook and scenes 1, 4, 7; scenes 1, 2, 5, 8), site 3 two (scenes 3, 6)
    expect(section).toEqual(['Sources:', ...[0, 1, 2].map((i) => `- ${FAKE_SITES[i]}: ${research.sources[i].url}`)]);
    expect(m.description.indexOf('Chapters:')).toBeLessThan(m.description.indexOf('Sources:'));

    const dir = tempDir('la-sources-');
    const file = path.join(dir, 'x.bin');
    fs.writeFileSync(file, 'x');
    await folderPublisher(path.join(dir, 'out')).publish(
      { story: (await getStory(db, story.id))!, metadata: m, file: async () => file, research: { ...research, sources: [research.sources[2], research.sources[0]] }, db, progress: () => {}, warn: () => {} },
      new AbortController().signal,
    );
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'out', story.id, 'sources.json'), 'utf8'));
    expect(json).toMatchObject({ story_id: story.id, origin: 'search', search_queries: research.search_queries });
    expect(json.sources.map((x: { domain: string; citations: number }) => [x.domain, x.citations])).toEqual([
      ['archives.gov', 2],
      ['wikipedia.org', 4],
    ]);
    expect(json.claims).toHaveLength(8);
  });

  it('an offline story says "no sources" in status and in its description, and asks no model', async () => {
    const s = services(false);
    const story = await createStory(s, PIPELINE, { topic: 'Lighthouses', language: 'en-US' });
    const calls = fake.calls.length;
    await run(s, story.id);
    const detail = await storyDetail(db, story.id);
    expect(detail.research).toMatchObject({ origin: 'none', sources: [], claims: [], checked_at: null });
    expect(detailView(detail)).toMatch(/sources {2}no sources: the offline preview script is a placeholder, not researched/);
    const m = await describeStory(s, story.id);
    expect(m.description).toMatch(/\n\nSources: none\. This script is an offline placeholder; it was not researched\.$/);
    expect(fake.calls.length).toBe(calls);
  });

  it("the operator's script: its links are its sources, and its claims are checked the same way when Gemini is configured", async () => {
    const markdown = [
      '# The Tower',
      '## Raising',
      'The tower was raised by the guild, part 1. The [town chronicle](https://chronicle.example/1602) says so.',
      '## Fire',
      'A fire took the roof, part 2.',
      '## Repair',
      'The roof was mended, part 3.',
      'Source: https://repairs.example/roof',
    ].join('\n');
    const s = services(true, { research: { factCheck: 'warn' } });
    const story = await createStory(s, PIPELINE, { topic: 'The Tower', language: 'en-US' }, parseScriptMarkdown(markdown, 'tower.md').draft);
    const calls = fake.calls.length;
    await run(s, story.id);
    // no script call: one claims call against the operator's links
    expect(fake.calls.slice(calls).map((c) => Object.keys(c.schema.properties).join())).toEqual(['claims']);
    const r = await getResearch(db, story.id);
    expect(r.origin).toBe('operator');
    expect(r.sources.map((x) => [x.domain, x.scenes])).toEqual([
      ['chronicle.example', [1]],
      ['repairs.example', [3]],
    ]);
    expect(r.claims.map((c) => [c.scene, c.verdict, c.sources])).toEqual([
      [1, 'supported', [1]],
      [2, 'unsupported', []],
      [3, 'supported', [2]],
    ]);
    expect(detailView(await storyDetail(db, story.id))).toMatch(/sources {2}2 from the operator's script\nclaims {3}2 of 3 supported, 1 unsupported/);
  });
});
