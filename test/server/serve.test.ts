import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, waitFor } from '../helpers/cli.js';
import { type Server, call, startServe, writeConfig } from '../helpers/serve.js';
import { tempDir } from '../helpers/services.js';

/** `lost-archives serve` as an operator starts and stops it, on the embedded database. */

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    if (s.exitCode === null && s.signalCode === null) s.kill('SIGKILL');
    await s.result;
  }
});

async function serveIn(config: object, env: Record<string, string | undefined> = {}, args: string[] = []): Promise<Server> {
  const cwd = tempDir('la-serve-');
  writeConfig(cwd, config);
  const s = await startServe(cwd, env, args);
  servers.push(s);
  return s;
}

describe('lost-archives serve', () => {
  it('refuses to listen beyond loopback without an API key, and a bad port, with exit code 2', async () => {
    const cwd = tempDir('la-serve-');
    const open = await runCli(['serve', '--host', '0.0.0.0'], { cwd });
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/^error: refusing to listen on 0\.0\.0\.0 without an API key: .*Set LOST_ARCHIVES_API_KEYS=key1,key2/);
    writeConfig(cwd, { serve: { host: '::' } });
    const fromConfig = await runCli(['serve'], { cwd, env: { LOST_ARCHIVES_API_KEYS: ' , ' } });
    expect(fromConfig.code).toBe(2);
    expect(fromConfig.stderr).toMatch(/refusing to listen on :: without an API key/);
    const port = await runCli(['serve', '--port', 'http'], { cwd });
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port must be a whole number from 0 to 65535/);
    const help = await runCli(['serve', '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/LOST_ARCHIVES_API_KEYS/);
  });

  it('rate-limits POST /stories per API key with 429 and Retry-After; other keys and reads go on', async () => {
    const s = await serveIn({ serve: { rateLimit: { max: 2, windowSeconds: 600 } } }, { LOST_ARCHIVES_API_KEYS: 'key-a,key-b' });
    for (let i = 0; i < 2; i++) expect((await call(s, 'POST', '/stories', { key: 'key-a', json: { topic: `Troy ${i}` } })).status).toBe(201);
    const limited = await call(s, 'POST', '/stories', { key: 'key-a', json: { topic: 'Troy 3' } });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toEqual({ code: 'rate_limited', message: 'at most 2 new stories per 10 minutes; try again in 10 minutes' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(500);
    expect((await call(s, 'POST', '/stories', { key: 'key-b', json: { topic: 'Troy 4' } })).status).toBe(201);
    const list = await call(s, 'GET', '/stories', { key: 'key-a' });
    expect(list.status).toBe(200);
    expect(list.body.stories.map((x: { topic: string }) => x.topic).sort()).toEqual(['Troy 0', 'Troy 1', 'Troy 4']);
  });

  it('without keys it is open on loopback, says so, and new stories take the configured language', async () => {
    const s = await serveIn({ language: 'de-DE' });
    await waitFor(() => /WARN {2}no API keys/.test(s.output()), 60_000, 'the warning');
    expect(s.output()).toMatch(/embedded database: workers in other processes cannot open it; set DATABASE_URL/);
    const created = await call(s, 'POST', '/stories', { json: { topic: 'Berlin' } });
    expect(created.status).toBe(201);
    expect((await call(s, 'GET', `/stories/${created.body.story_id}`)).body.language).toBe('de-DE');
  });

  it('SIGTERM: stops accepting, lets the request in flight finish, closes the database and exits 0', async () => {
    const s = await serveIn({}, {}, ['--verbose']);
    const body = JSON.stringify({ topic: 'The last story before shutdown' });
    const req = http.request(s.url + '/stories', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    const answer = new Promise<{ status?: number; text: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 10)); // the request is in flight: headers sent, body half there
    await waitFor(() => /DEBUG request started .*method=POST url=\/stories/.test(s.output()), 60_000, 'the server to start reading the request');
    s.kill('SIGTERM');
    await waitFor(() => s.output().includes('stopping: no new connections'), 60_000, 'the server to start stopping');
    await expect(fetch(s.url + '/healthz')).rejects.toThrow();
    req.end(body.slice(10));
    const res = await answer;
    expect(res.status, res.text).toBe(201);
    const exit = await s.result;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toMatch(/INFO {2}stopped/);
    // the story was written, and the embedded database was closed cleanly: the next process opens it
    const status = await runCli(['status', JSON.parse(res.text).story_id, '--json'], { cwd: s.cwd });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).topic).toBe('The last story before shutdown');
  });
});
