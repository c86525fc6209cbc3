import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { writeConfig } from '../helpers/serve.js';
import { tempDir } from '../helpers/services.js';
import { type FakeYoutube, startFakeYoutube } from '../fakes/youtube.js';

/** The real binary with `publish: 'youtube'`: refusing before queueing, doctor, and `auth youtube` against the fake. */

const ENV = { YOUTUBE_CLIENT_ID: 'fake-client-id', YOUTUBE_CLIENT_SECRET: 'fake-client-secret' };

describe('CLI with the youtube publisher', () => {
  const cwd = tempDir('la-yt-cli-');
  const tokenFile = path.join(cwd, 'home', 'youtube.json');
  let fake: FakeYoutube;
  beforeAll(async () => {
    fake = await startFakeYoutube();
    writeConfig(cwd, {
      video: { width: 320, height: 180, fps: 10, preset: 'superfast', music: 'none' },
      queue: { pollSeconds: 0.2 },
      providers: { publish: 'youtube' },
      youtube: { rootUrl: fake.rootUrl, oauth: { tokenUrl: fake.tokenUrl, authUrl: fake.authUrl }, tokenFile },
    });
  });
  afterAll(async () => fake.close());

  const stories = async () => JSON.parse((await runCli(['status', '--json'], { cwd })).stdout).total;

  it('create and run refuse before queueing anything while the channel is not authorised, naming what to do', async () => {
    const create = await runCli(['create', 'The Library of Alexandria'], { cwd, env: ENV });
    expect(create.code).toBe(2);
    expect(create.stderr).toMatch(/^error: the configured providers cannot work without their credentials:\n/);
    expect(create.stderr).toContain(`  - youtube credentials: no YouTube authorisation stored in ${tokenFile}: run \`lost-archives auth youtube\``);
    const run = await runCli(['run', 'The Library of Alexandria'], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('youtube credentials: YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET must be set');
    expect(run.stderr).toContain('run `lost-archives auth youtube`');
    expect(await stories()).toBe(0);

    const doctor = await runCli(['doctor', '--json'], { cwd, env: ENV });
    const check = JSON.parse(doctor.stdout).checks.find((c: { name: string }) => c.name === 'youtube credentials');
    expect(check).toMatchObject({ ok: false, fix: 'set the client env vars, then run `lost-archives auth youtube`' });
  });

  it('auth youtube without the client env vars is a usage error', async () => {
    const r = await runCli(['auth', 'youtube'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: set YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET/);
  });

  it('auth youtube: prints the URL, takes the browser callback, stores the token; then create queues', async () => {
    const child = startCli(['auth', 'youtube'], { cwd, env: ENV });
    let consent = '';
    await waitFor(() => {
      consent = /^\s+(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)$/m.exec(child.output())?.[1] ?? '';
      return !!consent;
    }, 20_000, 'the consent URL');
    const page = await fetch(consent, { redirect: 'manual' });
    await fetch(page.headers.get('location')!);
    const r = await child.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`authorised: the refresh token is stored in ${tokenFile} (readable by you only)\n`);
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(r.stdout + r.stderr).not.toContain('fake-client-secret');

    const create = await runCli(['create', 'The Library of Alexandria', '--json'], { cwd, env: ENV });
    expect(create.code, create.stderr).toBe(0);
    expect(await stories()).toBe(1);

    const scheduled = await runCli(['create', 'The Voynich Manuscript', '--publish-at', '2099-12-01T17:00:00Z'], { cwd, env: ENV });
    expect(scheduled.code, scheduled.stderr).toBe(0);
    const bad: [string[], string][] = [
      [['--publish-at', '2020-01-01T00:00:00Z'], 'error: --publish-at 2020-01-01T00:00:00.000Z is in the past\n'],
      [['--publish-at', 'tomorrow'], 'error: --publish-at "tomorrow" is not a time with its zone, e.g. 2026-12-01T17:00:00Z\n'],
      [['--privacy', 'public', '--publish-at', '2099-12-01T17:00:00Z'], 'error: --publish-at needs --privacy private (YouTube makes the video public at that time)\n'],
      [['--privacy', 'secret'], 'error: unknown privacy "secret"; use private, unlisted, public\n'],
    ];
    for (const [flags, message] of bad) {
      const r = await runCli(['create', 'The Phaistos Disc', ...flags], { cwd, env: ENV });
      expect([r.code, r.stderr]).toEqual([2, message]);
    }
    expect(await stories()).toBe(2);
    const doctor = JSON.parse((await runCli(['doctor', '--json'], { cwd, env: ENV })).stdout);
    expect(doctor.checks.find((c: { name: string }) => c.name === 'youtube credentials')).toMatchObject({ ok: true, detail: `authorised (${tokenFile})` });
  });

  it('run makes a video and publishes it to the (fake) channel: published with its YouTube id and URL', async () => {
    // (needs the token stored by the test above)
    const script = path.join(cwd, 'tiny.md');
    fs.writeFileSync(script, '# The Phaistos Disc\n\n## A Disc of Clay\nIn 1908 an archaeologist found a disc of fired clay. Nobody has read it since.\n');
    const r = await runCli(['run', '--script', script, '--json'], { cwd, env: ENV });
    expect(r.code, r.stderr).toBe(0);
    const story = JSON.parse(r.stdout);
    expect(fake.videos).toHaveLength(1);
    const [v] = fake.videos;
    expect(story).toMatchObject({ status: 'published', youtube_video_id: v.id, youtube_url: `https://www.youtube.com/watch?v=${v.id}` });
    expect(v.resource.snippet.title).toBe(story.metadata.title);
    expect(v.resource.status).toMatchObject({ privacyStatus: 'private', containsSyntheticMedia: true });
    expect(v.bytes.subarray(4, 8).toString()).toBe('ftyp');
    expect(v.thumbnail?.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(v.captions[0].body).toMatch(/^1\r?\n00:00:\d\d,\d{3} --> /);
  });
});
