import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/services.js';
import { FAKE_GEMINI_KEY, geminiWriterAnswer, startGeminiFake } from '../fakes/gemini.js';
import { FAKE_TTS_TOKEN, startTtsFake } from '../fakes/tts.js';

/** The real CLI with Google providers pointed at loopback fakes: preflight, doctor, budget, costs in status. */

describe('CLI with the Google providers', () => {
  let gemini: Awaited<ReturnType<typeof startGeminiFake>>;
  let tts: Awaited<ReturnType<typeof startTtsFake>>;
  const cwd = tempDir('la-cli-google-');
  const noCreds = { GEMINI_API_KEY: undefined, GOOGLE_API_KEY: undefined, GOOGLE_GENAI_USE_VERTEXAI: undefined, GOOGLE_OAUTH_ACCESS_TOKEN: undefined, GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/key.json' };
  const withCreds = { ...noCreds, GEMINI_API_KEY: FAKE_GEMINI_KEY, GOOGLE_OAUTH_ACCESS_TOKEN: FAKE_TTS_TOKEN, GOOGLE_APPLICATION_CREDENTIALS: undefined };

  beforeAll(async () => {
    gemini = await startGeminiFake(geminiWriterAnswer({ scenes: 8 }));
    tts = await startTtsFake();
    fs.writeFileSync(
      path.join(cwd, '.lost-archivesrc.json'),
      JSON.stringify({
        providers: { text: 'gemini', image: 'preview', speech: 'google' },
        // search queries priced at $0 and no claims call: the budget below is about tokens and narration
        google: { endpoints: { gemini: gemini.url, tts: tts.url }, targetMinutes: 2, prices: { 'gemini-3.8-flash': { inputPerMillionTokens: 1.5, outputPerMillionTokens: 7.5, perSearchQuery: 0 } } },
        research: { factCheck: 'off' },
        video: { width: 320, height: 180, fps: 10, preset: 'superfast', music: 'none' },
        queue: { leaseSeconds: 5, pollSeconds: 0.2, backoffBaseSeconds: 0.2 },
      }),
    );
  });
  afterAll(async () => {
    await gemini.close();
    await tts.close();
  });

  it('run and create refuse before anything is queued when a credential is missing, naming the variable', async () => {
    const r = await runCli(['run', 'Tea'], { cwd, env: noCreds });
    // a configuration problem: exit 2, like every other usage or configuration error
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gemini credentials: GEMINI_API_KEY is not set/);
    expect(r.stderr).toMatch(/cloud tts credentials: GOOGLE_APPLICATION_CREDENTIALS names \/nonexistent\/key.json, which does not exist/);
    expect(r.stderr).not.toMatch(/offline mode/);
    const created = await runCli(['create', 'Tea'], { cwd, env: { ...noCreds, GOOGLE_OAUTH_ACCESS_TOKEN: FAKE_TTS_TOKEN } });
    expect(created.code).toBe(2);
    expect(created.stderr).toMatch(/gemini credentials: GEMINI_API_KEY is not set/);
    expect(created.stderr).not.toMatch(/cloud tts/);
    const list = JSON.parse((await runCli(['status', '--json'], { cwd, env: noCreds })).stdout);
    expect(list.total).toBe(0);
    expect(gemini.requests).toHaveLength(0);
  });

  it('doctor names the missing variable, then checks each provider with one call once it is there', async () => {
    const missing = await runCli(['doctor'], { cwd, env: noCreds });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/FAIL gemini credentials\s+GEMINI_API_KEY is not set/);
    const ok = await runCli(['doctor', '--json'], { cwd, env: withCreds });
    const checks = JSON.parse(ok.stdout).checks as { name: string; ok: boolean; detail: string }[];
    expect(checks.find((c) => c.name === 'gemini text')).toMatchObject({ ok: true, detail: 'models/gemini-3.8-flash answers' });
    expect(checks.find((c) => c.name === 'google voice')).toMatchObject({ ok: true, detail: expect.stringMatching(/en-US-Neural2-D among them/) });
    expect(JSON.stringify(checks)).not.toContain(FAKE_GEMINI_KEY);
    expect(gemini.requests.filter((q) => q.method === 'GET')).toHaveLength(1);
  });

  it('run --budget stops the story before the call that would pass it, and status shows what was spent', async () => {
    // the script is estimated high (the full expected answer) and bills $0.0198 (1200 tokens in, 2400 out at gemini-3.8-flash prices); the metadata
    // call's estimate then no longer fits $0.05
    const r = await runCli(['run', 'Tea', '--budget', '0.05'], { cwd, env: withCreds });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/budget reached: the story has spent \$0\.0\d+ of its \$0\.0500 budget and the metadata \(gemini-3\.8-flash\) would cost about/);
    const list = JSON.parse((await runCli(['status', '--json'], { cwd, env: withCreds })).stdout);
    const story = list.stories[0];
    expect(story).toMatchObject({ topic: 'Tea', status: 'failed', budget_usd: 0.05 });
    const narrationUsd = (tts.calls.reduce((n, c) => n + c.bytes, 0) * 16) / 1e6; // upper bound: SSML bytes at the Neural2 price
    expect(story.cost_usd).toBeGreaterThan(0.0198);
    expect(story.cost_usd).toBeLessThan(0.0198 + narrationUsd);
    expect(list.total_cost_usd).toBeCloseTo(story.cost_usd, 9);
    const detail = JSON.parse((await runCli(['status', story.id, '--json'], { cwd, env: withCreds })).stdout);
    expect(detail.error_message).toMatch(/^generate_metadata: budget reached/);
    expect(detail.costs.map((c: { operation: string }) => c.operation)).toEqual(['script', ...Array(8).fill('narration')]);
    expect(detail.costs[0]).toMatchObject({ model: 'gemini-3.8-flash', tokens_in: 1200, tokens_out: 2400, search_queries: 3 });
    expect(detail.costs.filter((c: { model: string }) => c.model === 'Neural2').every((c: { characters: number }) => c.characters > 0)).toBe(true);
    const table = await runCli(['status'], { cwd, env: withCreds });
    expect(table.stdout).toMatch(/Tea.*failed.*\$0\.0\d \/ \$0\.05/);
    expect(table.stdout).toMatch(/all stories cost \$0\.0\d/);
    const one = await runCli(['status', story.id], { cwd, env: withCreds });
    expect(one.stdout).toMatch(/cost\s+\$0\.0\d of a \$0\.05 budget \(9 paid calls\)/);
    expect(one.stdout).toMatch(/generate_script\s*│\s*gemini-3\.8-flash\s*│\s*1\s*│\s*1200\s*│\s*2400/);

    // a higher budget lets the story go on where it stopped, spending nothing twice
    const retried = JSON.parse((await runCli(['retry', story.id, '--budget', '1', '--json'], { cwd, env: withCreds })).stdout);
    expect(retried).toMatchObject({ story_id: story.id, stage: 'generate_metadata' });
    const worker = await runCli(['run-worker', '--once', '--type', 'generate_metadata'], { cwd, env: withCreds });
    expect(worker.code, worker.stderr).toBe(0);
    const resumed = JSON.parse((await runCli(['status', story.id, '--json'], { cwd, env: withCreds })).stdout);
    expect(resumed).toMatchObject({ status: 'rendering', budget_usd: 1 });
    expect(resumed.metadata.title).toBe('Tea: what the archive remembers');
    expect(resumed.costs.map((c: { operation: string }) => c.operation)).toEqual(['script', ...Array(8).fill('narration'), 'metadata']);
  });

  it('rejects a budget that is not an amount', async () => {
    for (const bad of ['lots', '-1', '0']) {
      const r = await runCli(['create', 'Tea', '--budget', bad], { cwd, env: withCreds });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--budget takes an amount|budget must be more than 0/);
    }
  });

  it('refuses a speaking rate the chosen Chirp 3 HD voice does not take, before anything is queued, naming the key and the range', async () => {
    const other = tempDir('la-cli-google-rate-');
    fs.writeFileSync(
      path.join(other, '.lost-archivesrc.json'),
      JSON.stringify({ providers: { text: 'gemini', image: 'preview', speech: 'google' }, google: { endpoints: { gemini: gemini.url, tts: tts.url }, voices: { 'en-US': 'en-US-Chirp3-HD-Kore' }, speakingRate: 4 } }),
    );
    const before = tts.requests.length;
    const r = await runCli(['create', 'Tea'], { cwd: other, env: withCreds });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/google\.speakingRate: is 4, but Chirp 3 HD voices accept 0\.25 to 2/);
    expect(r.stderr).toMatch(/en-US-Chirp3-HD-Kore/);
    expect(tts.requests.length).toBe(before);
  });
});
