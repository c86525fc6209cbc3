import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { writeConfig } from '../helpers/serve.js';
import { tempDir } from '../helpers/services.js';

/** The real bin on its embedded database: a gated story rendered offline, reviewed, rejected, approved, published. */

describe('review, approve and reject from the command line', () => {
  const cwd = tempDir('la-approval-cli-');
  const cli = async (args: string[], code = 0) => {
    const r = await runCli(args, { cwd });
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
    return r;
  };
  const json = async (args: string[]) => JSON.parse((await cli([...args, '--json'])).stdout);

  it('a gated story stops after its render; review shows what the upload sends and where the files are', async () => {
    writeConfig(cwd, {
      video: { width: 320, height: 180, fps: 10, profile: 'draft', music: 'none' },
      publish: { approval: true },
      youtube: { schedule: [{ days: ['tue', 'fri'], time: '17:00', timezone: 'Europe/Berlin' }] },
    });
    fs.writeFileSync(path.join(cwd, 'short.md'), '# The Short Archive\n\n## One\nA single short scene about a lost map.\n');
    const { story_id: id } = await json(['create', '--script', 'short.md']);
    const { story_id: other } = await json(['create', 'Never gated', '--script', 'short.md', '--no-approval']);
    await cli(['run-worker', '--once', '--concurrency', '2'], 0);

    expect((await cli(['status'])).stdout).toMatch(new RegExp(`${id.slice(0, 8)} .*uploading .*awaiting approval \\(\\d+s\\)`));
    expect((await cli(['status', id.slice(0, 8)])).stdout).toMatch(/waiting {2}upload_youtube, awaiting approval for \d+s/);
    expect((await json(['status', other])).status).toBe('published');

    const review = await json(['review', id.slice(0, 8)]);
    expect(review).toMatchObject({ story_id: id, status: 'uploading', approval: true, publisher: 'folder', checks: { render: 'passed' }, history: [] });
    expect(review.metadata.title).toBeTruthy();
    for (const f of [review.files.video, review.files.thumbnail, review.files.captions]) expect(fs.statSync(new URL(f.location)).size).toBe(f.bytes);
    const text = (await cli(['review', id])).stdout;
    expect(text).toContain(`title     ${review.metadata.title}`);
    expect(text).toMatch(/render {4}passed/);
    expect(text).toContain(`approve: lost-archives approve ${id.slice(0, 8)}`);

    // the other story took the first slot when its render finished; this one has none until approved
    const calendar = await json(['status', '--calendar', '--limit', '3']);
    expect(calendar.slots.map((s: { story_id: string | null }) => s.story_id)).toEqual([other, null, null]);
    expect((await cli(['status', '--calendar'])).stdout).toMatch(/17:00 CET|17:00 CEST/);
  }, 600_000);

  it('reject needs --from and a stage before the upload; it sends the story back; approve publishes it', async () => {
    const [{ id }] = (await json(['status'])).stories.filter((s: { approval: boolean }) => s.approval);
    expect((await cli(['reject', id], 2)).stderr).toMatch(/--from/);
    expect((await cli(['reject', id, '--from', 'upload_youtube'], 2)).stderr).toMatch(/before upload_youtube/);
    expect(await json(['reject', id, '--from', 'generate_metadata', '--note', 'title too long'])).toEqual({ story_id: id, stage: 'generate_metadata' });
    expect((await cli(['approve', id], 2)).stderr).toMatch(/not awaiting approval/);
    await cli(['run-worker', '--once']);
    expect((await json(['review', id])).history).toMatchObject([{ kind: 'rejected', stage: 'generate_metadata', note: 'title too long' }]);

    const approved = await json(['approve', id]);
    expect(approved.story_id).toBe(id);
    expect(new Date(approved.slot).getTime()).toBeGreaterThan(Date.now());
    await cli(['run-worker', '--once']);
    expect((await json(['status', id])).status).toBe('published');
    expect(fs.existsSync(path.join(cwd, 'published', id, 'video.mp4'))).toBe(true);
    const calendar = await json(['status', '--calendar', '--limit', '2']);
    expect(calendar.slots.map((s: { story_id: string }) => s.story_id)).toHaveLength(2);
    expect(calendar.slots[1].story_id).toBe(id);
  }, 600_000);
});
