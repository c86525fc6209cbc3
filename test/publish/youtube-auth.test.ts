import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorizeYoutube } from '../../src/providers/publish/youtube/auth.js';
import { readToken } from '../../src/providers/publish/youtube/client.js';
import { type FakeYoutube, startFakeYoutube } from '../fakes/youtube.js';
import { tempDir, testConfig } from '../helpers/services.js';

/** `auth youtube`'s loopback flow end to end: the browser is simulated by following the fake consent page's redirect. */

const ENV = { YOUTUBE_CLIENT_ID: 'fake-client-id', YOUTUBE_CLIENT_SECRET: 'fake-client-secret' };

describe('auth youtube', () => {
  let fake: FakeYoutube;
  let dir: string;
  beforeEach(async () => {
    fake = await startFakeYoutube();
    dir = tempDir('la-auth-');
  });
  afterEach(async () => fake.close());

  const config = () =>
    testConfig({ providers: { publish: 'youtube' }, youtube: { rootUrl: fake.rootUrl, oauth: { tokenUrl: fake.tokenUrl, authUrl: fake.authUrl }, tokenFile: path.join(dir, 'cfg', 'youtube.json') } }, dir);

  /** Starts the flow and answers the consent URL it shows once it shows it. */
  function start(extra: Partial<Parameters<typeof authorizeYoutube>[0]> = {}) {
    const lines: string[] = [];
    let shown!: (url: string) => void;
    const consentUrl = new Promise<string>((r) => (shown = r));
    const flow = authorizeYoutube({
      config: config(),
      env: ENV,
      say: (line) => {
        lines.push(line);
        if (line.trim().startsWith(fake.authUrl)) shown(line.trim());
      },
      timeoutMs: 20_000,
      ...extra,
    });
    return { flow, consentUrl, lines };
  }

  it('loopback: the consent URL asks for offline access with PKCE and state; the callback stores the refresh token with mode 0600', async () => {
    const { flow, consentUrl } = start();
    const url = new URL(await consentUrl);
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{32}$/);
    expect(url.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.force-ssl');
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // a request with another state (a stray or forged callback) is turned away; the flow keeps waiting
    const forged = await fetch(`${url.searchParams.get('redirect_uri')}/?code=4/forged&state=not-it`);
    expect(forged.status).toBe(400);

    // the browser: consent page → redirect back to the loopback address
    const consent = await fetch(url, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const back = await fetch(consent.headers.get('location')!);
    expect(back.status).toBe(200);
    expect(await back.text()).toMatch(/lost-archives is authorised/);

    const result = await flow;
    const file = path.join(dir, 'cfg', 'youtube.json');
    expect(result.file).toBe(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const token = readToken(file)!;
    expect(fake.refreshTokens.has(token.refresh_token)).toBe(true);
    expect(token.client_id).toBe('fake-client-id');
    expect(JSON.stringify(token)).not.toContain('fake-client-secret');
    expect(fake.codes.size).toBe(0);
  });

  it('--no-browser: takes the address the operator pastes, checks its state, and stores the token', async () => {
    let paste!: (text: string) => void;
    const { flow, consentUrl, lines } = start({ readPasted: () => new Promise<string>((r) => (paste = r)) });
    const consent = await fetch(await consentUrl, { redirect: 'manual' });
    expect(lines.join('\n')).toMatch(/Copy that whole address and paste it here/);
    paste(`${consent.headers.get('location')}\n`);
    const result = await flow;
    expect(fake.refreshTokens.has(readToken(result.file)!.refresh_token)).toBe(true);
  });

  it('--no-browser: a pasted address from another authorisation is refused', async () => {
    const { flow, consentUrl } = start({ readPasted: async () => 'http://127.0.0.1:1/?code=4/x&state=someone-else' });
    await consentUrl;
    await expect(flow).rejects.toThrow('the pasted URL is not from this authorisation (its state does not match); run `lost-archives auth youtube` again');
  });

  it('a denied consent ends the flow with what to do, and the browser is told', async () => {
    const { flow, consentUrl } = start();
    const redirect = new URL(await consentUrl).searchParams.get('redirect_uri')!;
    const state = new URL(await consentUrl).searchParams.get('state')!;
    const [page] = await Promise.all([fetch(`${redirect}/?error=access_denied&state=${state}`), flow.catch(() => {})]);
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/Access was not granted \(access_denied\)/);
    await expect(flow).rejects.toThrow('Google refused the authorisation (access_denied); run `lost-archives auth youtube` to try again');
    expect(fs.existsSync(path.join(dir, 'cfg', 'youtube.json'))).toBe(false);
  });

  it('without YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET it says how to get them', async () => {
    await expect(authorizeYoutube({ config: config(), env: {}, say: () => {} })).rejects.toThrow(/^set YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET to your OAuth client/);
  });
});
