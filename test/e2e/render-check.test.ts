import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { openPglite } from '../../src/db/pglite.js';
import { getStoryDetail } from '../../src/db/stories.js';
import { checkRender } from '../../src/media/check.js';
import { type Media, buildMedia } from '../../src/media/index.js';
import type { Timeline } from '../../src/media/timeline.js';
import { expectRender } from '../../src/media/verify.js';
import { buildStoryRun } from '../../src/run-story.js';
import { PIPELINE } from '../../src/stages/index.js';
import { createStory, readScriptFile } from '../../src/stories.js';
import { runCli } from '../helpers/cli.js';
import { SIZE, breakRender, renderShort } from '../helpers/render-check.js';
import { tempDir, testConfig, testServices } from '../helpers/services.js';

/** The render check on real files: a good short render passes; the same render broken four ways fails. */

describe('the render check on real renders', () => {
  const dir = tempDir('la-check-');
  let good: string;
  let timeline: Timeline;
  const check = (file: string) => checkRender(buildMedia(), file, expectRender(timeline, SIZE), new AbortController().signal);
  const at = () => [timeline.scenes[0].narrationStart + 1, timeline.scenes[0].narrationStart + 4].map((t) => t.toFixed(1));

  beforeAll(async () => {
    ({ file: good, timeline } = await renderShort(dir, { music: true }));
  }, 300_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes the good render', async () => {
    expect(await check(good)).toEqual([]);
  });

  it('fails a silent stretch in a scene', async () => {
    const [a, b] = at();
    expect(await check(breakRender(good, 'silent-stretch', path.join(dir, 'silent.mp4'), timeline))).toEqual([`silent ${a}-${b} s during the narration of scene 1`]);
  });

  it('fails a soundtrack cut half-way', async () => {
    const problems = await check(breakRender(good, 'short-audio', path.join(dir, 'cut.mp4'), timeline));
    expect(problems).toEqual([`audio ${(timeline.total / 2).toFixed(1)} s, timeline ${timeline.total.toFixed(1)} s`]);
  });

  it('fails a black stretch inside a scene', async () => {
    const problems = await check(breakRender(good, 'black-in-scene', path.join(dir, 'black.mp4'), timeline));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^black \d+\.\d-\d+\.\d s in scene 1$/);
  });

  it('fails a file cut short', async () => {
    const problems = await check(breakRender(good, 'short-file', path.join(dir, 'short.mp4'), timeline));
    expect(problems[0]).toBe(`duration 5.1 s, timeline ${timeline.total.toFixed(1)} s`);
  });
});

describe('a story whose render fails the check', () => {
  const cwd = tempDir('la-check-story-');
  const settings = { dataDir: 'data', video: { width: 640, height: 360, preset: 'superfast' as const, music: 'none' as const }, queue: { pollSeconds: 0.05 } };

  it('ends failed with what was wrong, stores no video and publishes nothing; `status` shows it', async () => {
    fs.writeFileSync(path.join(cwd, '.lost-archivesrc.json'), JSON.stringify(settings));
    const script = path.join(cwd, 'story.md');
    fs.writeFileSync(script, '# The Lighthouse of Pharos\n\n## The Tower\n\nThe lighthouse stood on the island of Pharos. Its fire guided ships for centuries.\n\n## The Fall\n\nEarthquakes broke it stone by stone. Its blocks now lie under the harbour.\n');
    const config = testConfig({ ...settings, dataDir: path.join(cwd, 'data'), publishDir: path.join(cwd, 'published') }, cwd);
    const db = await openPglite(config.dataDir);
    await migrate(db);
    // a render that comes out silent from six seconds on: the soundtrack's encode is muted there
    const media = buildMedia();
    const broken: Media = {
      ...media,
      run: (job, opts) => media.run(job.output.endsWith('soundtrack.m4a') ? { ...job, filter: job.filter!.replace('[aout]', ",volume=0:enable='gte(t,6)'[aout]") } : job, opts),
    };
    const services = { ...testServices(db, config), media: broken };
    const { topic, script: draft } = readScriptFile(script, undefined);
    const story = await createStory(services, PIPELINE, { topic }, draft);
    await expect(buildStoryRun(services, PIPELINE, story.id, { worker: 'test', stop: new AbortController().signal, renderer: 'silent' }).run()).rejects.toThrow(/render check failed/);
    const detail = (await getStoryDetail(db, story.id))!;
    await db.close();
    expect(detail.status).toBe('failed');
    expect(detail.error_message).toMatch(/^render_video: render check failed: silent 6\.0-\d+\.\d s during the narration of scene 1-2/);
    const render = detail.jobs.find((j) => j.type === 'render_video')!;
    // a permanent failure: not retried
    expect([render.status, render.attempts]).toEqual(['failed', 1]);
    expect(detail.assets.map((a) => a.kind)).not.toContain('video');
    expect(fs.existsSync(path.join(cwd, 'data', 'storage', 'stories', story.id, 'video.mp4'))).toBe(false);
    expect(fs.existsSync(path.join(cwd, 'published', story.id))).toBe(false);
    const status = await runCli(['status', story.id], { cwd });
    expect(status.stdout).toContain(`error    ${detail.error_message}`);
  }, 300_000);
});
