import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeYoutube, startFakeYoutube } from '../fakes/youtube.js';

/** The YouTube fake refuses what YouTube refuses, with Google's bodies: requests a client could get wrong, sent by hand. */

const UNIT = 256 * 1024;

describe('the YouTube fake is strict', () => {
  let fake: FakeYoutube;
  let auth: Record<string, string>;
  beforeEach(async () => {
    fake = await startFakeYoutube();
    fake.refreshTokens.add('1//r');
    auth = { authorization: `Bearer ${(await token('1//r')).access_token}` };
  });
  afterEach(async () => fake.close());

  async function token(refresh: string) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh, client_id: 'fake-client-id', client_secret: 'fake-client-secret' });
    return (await fetch(fake.tokenUrl, { method: 'POST', body: form })).json();
  }
  const reason = async (r: Response) => ({ status: r.status, reason: ((await r.json()) as any).error.errors[0].reason });
  const open = (query: string, resource: object, size: number) =>
    fetch(`${fake.url}/upload/youtube/v3/videos?uploadType=resumable${query}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-upload-content-length': String(size), 'x-upload-content-type': 'video/mp4' },
      body: JSON.stringify(resource),
    });
  const put = (session: string, body: Buffer, start: number, total: number) =>
    fetch(session, { method: 'PUT', headers: { ...auth, 'content-range': `bytes ${start}-${start + body.length - 1}/${total}` }, body: new Uint8Array(body) });
  const snippet = { title: 'The Library of Alexandria', description: 'A library burned.' };

  it('refuses a request without part, and sets only the parts named', async () => {
    expect(await reason(await open('', { snippet }, 10))).toEqual({ status: 400, reason: 'required' });
    expect(await reason(await fetch(`${fake.url}/youtube/v3/playlistItems?playlistId=PL`, { headers: auth }))).toEqual({ status: 400, reason: 'required' });
    const r = await open('&part=snippet', { snippet, status: { privacyStatus: 'private' } }, 10);
    expect(r.status).toBe(200);
    expect([...fake.sessions.values()][0].resource).toEqual({ snippet });
  });

  it('refuses titles over 100 characters or with angle brackets, and descriptions over 5000 bytes', async () => {
    const refused = async (s: object) => reason(await open('&part=snippet,status', { snippet: { ...snippet, ...s } }, 10));
    expect(await refused({ title: 'x'.repeat(101) })).toEqual({ status: 400, reason: 'invalidTitle' });
    expect(await refused({ title: 'a <b>' })).toEqual({ status: 400, reason: 'invalidTitle' });
    expect(await refused({ title: '' })).toEqual({ status: 400, reason: 'invalidTitle' });
    expect(await refused({ description: 'ж'.repeat(2501) })).toEqual({ status: 400, reason: 'invalidDescription' });
    expect((await open('&part=snippet', { snippet: { ...snippet, title: 'ж'.repeat(100), description: 'ж'.repeat(2500) } }, 10)).status).toBe(200);
  });

  it('refuses a chunk that is not a multiple of 256 KiB unless it is the last', async () => {
    const total = 2 * UNIT + 100;
    const session = (await open('&part=snippet', { snippet }, total)).headers.get('location')!;
    const bad = await put(session, Buffer.alloc(UNIT + 1), 0, total);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.message).toMatch(/multiple of 262144, except for the final request/);
    expect((await put(session, Buffer.alloc(2 * UNIT), 0, total)).status).toBe(308);
    expect((await put(session, Buffer.alloc(100), 2 * UNIT, total)).status).toBe(200);
  });

  it('answers 404 for an unknown session and 410 for one a week old', async () => {
    const session = (await open('&part=snippet', { snippet }, UNIT)).headers.get('location')!;
    expect((await put(`${fake.url}/upload/youtube/v3/videos?uploadType=resumable&upload_id=nope`, Buffer.alloc(UNIT), 0, UNIT)).status).toBe(404);
    fake.advance(7 * 86_400_000);
    expect((await put(session, Buffer.alloc(UNIT), 0, UNIT)).status).toBe(410);
  });

  it('refuses a captions track without a name, and a second one of the same language and name (409)', async () => {
    const session = (await open('&part=snippet', { snippet }, 4)).headers.get('location')!;
    const video = ((await (await put(session, Buffer.from('abcd'), 0, 4)).json()) as any).id;
    const caption = (name: string) =>
      fetch(`${fake.url}/upload/youtube/v3/captions?uploadType=multipart&part=snippet`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'multipart/related; boundary=b' },
        body: `--b\r\ncontent-type: application/json\r\n\r\n${JSON.stringify({ snippet: { videoId: video, language: 'en-GB', name } })}\r\n--b\r\ncontent-type: application/x-subrip\r\n\r\n1\n00:00:00,000 --> 00:00:01,000\nHi\r\n--b--`,
      });
    expect(await reason(await caption(''))).toEqual({ status: 400, reason: 'invalidMetadata' });
    expect((await caption('English (UK)')).status).toBe(200);
    expect(await reason(await caption('English (UK)'))).toEqual({ status: 409, reason: 'captionExists' });
    expect((await caption('English (UK), narrated')).status).toBe(200);
  });

  it('a 429 carries RetryInfo in its body; a refresh token past its life gets invalid_grant', async () => {
    fake.failPaths['/youtube/v3/playlistItems'] = [429];
    const r = await fetch(`${fake.url}/youtube/v3/playlistItems?part=id&playlistId=PL`, { headers: auth });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBeNull();
    expect(((await r.json()) as any).error).toMatchObject({ status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '30s' }] });

    fake.refreshTokenLifetimeMs = 7 * 86_400_000;
    expect((await token('1//r')).access_token).toBeDefined();
    fake.advance(7 * 86_400_000);
    expect(await token('1//r')).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
  });
});
