import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Server, call, startServe, writeConfig } from '../helpers/serve.js';
import { tempDir } from '../helpers/services.js';

/** Hostile requests against the real `lost-archives serve`: every refusal in the documented shape, nothing stored, no key logged. */

const KEY = 'hygiene-key-0123456789abcdef';
let server: Server;
beforeAll(async () => {
  const cwd = tempDir('la-hyg-api-');
  writeConfig(cwd, { serve: { rateLimit: { max: 1000, windowSeconds: 60 } } });
  server = await startServe(cwd, { LOST_ARCHIVES_API_KEYS: KEY }, ['--verbose']);
});
afterAll(async () => {
  server.kill('SIGKILL');
  await server.result;
});

/** A raw HTTP/1.1 exchange: what the server answers (status line, headers, body) and when it closes. */
function rawRequest(head: string, body = '', opts: { waitForClose?: boolean } = {}): Promise<{ status: number; body: any; raw: string; ms: number }> {
  const { port } = new URL(server.url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(head + body));
    let raw = '';
    const done = () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
      const text = raw.slice(raw.indexOf('\r\n\r\n') + 4);
      resolve({ status, body: text ? JSON.parse(text) : null, raw, ms: Date.now() - started });
    };
    socket.on('data', (d) => {
      raw += d.toString();
      if (!opts.waitForClose && raw.includes('\r\n\r\n') && /content-length: (\d+)/i.test(raw)) {
        const len = Number(/content-length: (\d+)/i.exec(raw)![1]);
        if (Buffer.byteLength(raw.slice(raw.indexOf('\r\n\r\n') + 4)) >= len) (socket.destroy(), done());
      }
    });
    socket.on('close', done);
    socket.on('error', reject);
  });
}

const shape = (body: any, code: string) => {
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
};

async function postRaw(bytes: Buffer) {
  const res = await fetch(`${server.url}/stories`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: new Uint8Array(bytes) });
  return { status: res.status, body: await res.json() };
}

describe('topics the API refuses with 400, naming the input', () => {
  const refused: [string, string, RegExp][] = [
    ['a NUL byte', 'Troy\u0000Ilium', /topic holds a control character, U\+0000 \(NUL\), at character 5/],
    ['an ANSI colour and an OSC title', 'Red \u001b[31mALERT\u001b[0m \u001b]0;pwned\u0007', /topic holds a control character, U\+001B \(escape\)/],
    ['a line break', 'Troy\nFalls', /topic holds a control character, U\+000A \(line break\)/],
    ['a C1 control', 'Troy\u009b31m', /U\+009B/],
    ['only invisible characters', '\u200b\u2060\u200d\u00ad', /topic has no visible characters/],
    ['half a surrogate pair', 'Troy \ud800', /half a surrogate pair at character 6/],
  ];
  it.each(refused)('%s', async (_what, topic, message) => {
    const r = await call(server, 'POST', '/stories', { key: KEY, json: { topic } });
    expect(r.status).toBe(400);
    shape(r.body, 'invalid_request');
    expect(r.body.error.message).toMatch(message);
  });

  it('a body that is not UTF-8, or a lone surrogate escape, is refused and nothing is stored', async () => {
    const latin1 = await postRaw(Buffer.concat([Buffer.from('{"topic": "Caf'), Buffer.from([0xe9]), Buffer.from('"}')]));
    expect(latin1.status).toBe(400);
    shape(latin1.body, 'invalid_encoding');
    const overlong = await postRaw(Buffer.concat([Buffer.from('{"topic": "T'), Buffer.from([0xc0, 0xaf, 0xff, 0xfe]), Buffer.from('"}')]));
    expect(overlong.status).toBe(400);
    const surrogate = await postRaw(Buffer.from('{"topic": "Troy \\udc00 falls"}'));
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.error.message).toMatch(/half a surrogate pair/);
    const fine = await postRaw(Buffer.from(JSON.stringify({ topic: 'Café de Flore 🏛️ \u202bعربي' })));
    expect(fine.status).toBe(201);
    const list = await call(server, 'GET', '/stories', { key: KEY });
    expect(list.body.stories.map((s: { topic: string }) => s.topic)).toEqual(['Café de Flore 🏛️ \u202bعربي']);
  });

  it('a budget in anything but a JSON number is refused', async () => {
    for (const budget_usd of ['0x10', '16', '1e1']) {
      const r = await call(server, 'POST', '/stories', { key: KEY, json: { topic: 'Troy', budget_usd } });
      expect(r.status).toBe(400);
      shape(r.body, 'invalid_request');
    }
    const hex = await call(server, 'POST', '/stories', { key: KEY, body: '{"topic": "Troy", "budget_usd": 0x10}' });
    expect(hex.status).toBe(400);
    shape(hex.body, 'invalid_json');
  });
});

describe('requests refused before a route sees them keep the {error: {code, message}} shape', () => {
  it('431 for a 20 KB header', async () => {
    const r = await rawRequest(`GET /stories HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`, '', { waitForClose: true });
    expect(r.status).toBe(431);
    shape(r.body, 'headers_too_large');
  });

  it('414 for an over-long path part, and the OpenAPI document lists it', async () => {
    const r = await call(server, 'GET', `/stories/${'a'.repeat(200)}`, { key: KEY });
    expect(r.status).toBe(414);
    shape(r.body, 'uri_too_long');
    const doc = (await call(server, 'GET', '/openapi.json', { key: KEY })).body;
    expect(Object.keys(doc.paths['/stories/{story_id}'].get.responses)).toContain('414');
    expect(doc.paths['/stories/{story_id}'].get.responses['414'].content['application/json'].schema.properties.error).toBeTruthy();
  });

  it('400 for a path that is not valid percent-encoded UTF-8', async () => {
    const r = await call(server, 'GET', '/stories/%ff%fe', { key: KEY });
    expect(r.status).toBe(400);
    shape(r.body, 'invalid_url');
  });
});

describe('API keys only in the Authorization header', () => {
  it('a key in the query string or an X-Api-Key header is refused and never logged', async () => {
    for (const route of [`/stories?api_key=${KEY}`, `/stories?limit=2&token=${KEY}`, `/stories/abcd?apikey=${KEY}`]) {
      const r = await call(server, 'GET', route, { key: KEY });
      expect(r.status, route).toBe(400);
      shape(r.body, 'key_outside_authorization');
      expect(r.body.error.message).not.toContain(KEY);
    }
    const anon = await call(server, 'GET', `/stories?api_key=${KEY}`);
    expect(anon.status).toBe(400);
    const header = await fetch(`${server.url}/stories`, { headers: { 'x-api-key': KEY } });
    expect(header.status).toBe(400);
    const ok = await call(server, 'GET', '/stories?limit=3', { key: KEY });
    expect(ok.status).toBe(200);
    // the request log has these requests, by path only
    await new Promise<void>((resolve) => {
      const check = () => (/"\/stories" status=200/.test(server.output()) || /url=\/stories status=200/.test(server.output()) ? resolve() : setTimeout(check, 50));
      check();
    });
    expect(server.output()).toMatch(/request .*url=\/stories status=400/);
    expect(server.output()).not.toContain(KEY);
    expect(server.output()).not.toMatch(/api_key|limit=3/);
  });
});

describe('a slow request body', () => {
  it('is cut off with 408 in the documented shape 30 s after the request, not a minute or more', async () => {
    const head = `POST /stories HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n`;
    // a client that sends the headers and a little of the body, then nothing
    const r = await rawRequest(head, '{"topic": "Tr', { waitForClose: true });
    expect(r.status).toBe(408);
    shape(r.body, 'request_timeout');
    expect(r.ms).toBeGreaterThanOrEqual(29_000);
    expect(r.ms).toBeLessThan(45_000);
  });
});
