import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { createDatabase } from '../helpers/db.js';
import { type Server, call, startServe, writeConfig } from '../helpers/serve.js';
import { tempDir } from '../helpers/services.js';

/** The HTTP API over real HTTP on PostgreSQL, with a real `run-worker` process making the story. */

const KEY = 'k-3f9c2a7e51d04b8a9e6f';
const OTHER_KEY = 'k-other-77aa01';

describe('lost-archives serve on PostgreSQL', () => {
  const cwd = tempDir('la-serve-');
  let db: Awaited<ReturnType<typeof createDatabase>>;
  let server: Server;
  const env = () => ({ DATABASE_URL: db.url, LOST_ARCHIVES_API_KEYS: ` ${KEY}, ${OTHER_KEY} ` });
  const cli = async (args: string[]) => {
    const r = await runCli(args, { cwd, env: env() });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  const total = async () => (await call(server, 'GET', '/stories', { key: KEY })).body.total;

  beforeAll(async () => {
    db = await createDatabase();
    writeConfig(cwd, {
      video: { width: 320, height: 180, fps: 10, preset: 'superfast', music: 'none' },
      queue: { pollSeconds: 0.2, leaseSeconds: 10 },
      serve: { rateLimit: { max: 50, windowSeconds: 60 } },
    });
    expect((await runCli(['db', 'migrate'], { cwd, env: env() })).code).toBe(0);
    server = await startServe(cwd, env());
  });
  afterAll(async () => {
    if (server?.exitCode === null) {
      server.kill('SIGTERM');
      await server.result;
    }
    await db?.drop();
  });

  it('create, list, get; a worker process publishes it; get shows it published, with the JSON of status --json', async () => {
    const created = await call(server, 'POST', '/stories', { key: KEY, json: { topic: '  The Library of Alexandria ', language: 'en-GB' } });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(['story_id', 'status']);
    expect(created.body.status).toBe('pending');
    const id: string = created.body.story_id;
    expect(created.headers.get('location')).toBe(`/stories/${id}`);

    const list = await call(server, 'GET', '/stories?limit=5&offset=0', { key: OTHER_KEY });
    expect(list.status).toBe(200);
    expect(list.body).toEqual(await cli(['status', '--json', '--limit', '5']));
    expect(list.body.stories[0]).toMatchObject({ id, topic: 'The Library of Alexandria', language: 'en-GB', status: 'pending' });

    const pending = await call(server, 'GET', `/stories/${id}`, { key: KEY });
    expect(pending.status).toBe(200);
    expect(pending.body.jobs.map((j: { type: string; status: string }) => [j.type, j.status])).toEqual([['generate_script', 'queued']]);

    const worker = startCli(['run-worker', '--name', 'api-test-worker'], { cwd, env: env() });
    try {
      await waitFor(async () => (await call(server, 'GET', `/stories/${id}`, { key: KEY })).body.status === 'published', 150_000, 'the worker to publish the story');
    } finally {
      worker.kill('SIGTERM');
      expect((await worker.result).code, worker.output()).toBe(0);
    }
    const done = await call(server, 'GET', `/stories/${id.slice(0, 8)}`, { key: KEY });
    expect(done.status).toBe(200);
    expect(done.body).toEqual(await cli(['status', id, '--json']));
    expect(done.body.metadata.title).toBeTruthy();
    expect(done.body.scenes.length).toBeGreaterThan(0);
    expect(done.body.assets.map((a: { kind: string }) => a.kind)).toContain('video');
    expect(done.body.jobs.every((j: { status: string; locked_by: string }) => j.status === 'completed' && j.locked_by === 'api-test-worker')).toBe(true);
  }, 180_000);

  it('retry answers like the CLI: 409 for a story with nothing to resume, 400 for an unknown stage, 200 when queued again', async () => {
    const { body } = await call(server, 'GET', '/stories?limit=1', { key: KEY });
    const id: string = body.stories[0].id;
    const nothing = await call(server, 'POST', `/stories/${id}/retry`, { key: KEY });
    expect(nothing.status).toBe(409);
    expect(nothing.body.error).toEqual({ code: 'conflict', message: expect.stringMatching(/is published, not failed: nothing to resume/) });
    const badStage = await call(server, 'POST', `/stories/${id}/retry`, { key: KEY, json: { from: 'polish' } });
    expect(badStage.status).toBe(400);
    expect(badStage.body.error.message).toMatch(/unknown stage "polish"; stages are generate_script/);
    const again = await call(server, 'POST', `/stories/${id}/retry`, { key: KEY, json: { from: 'upload_youtube' } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ story_id: id, status: 'uploading', stage: 'upload_youtube' });
    const twice = await call(server, 'POST', `/stories/${id}/retry`, { key: KEY, json: { from: 'upload_youtube' } });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toMatch(/already has job \d+ \(upload_youtube\) queued/);
  });

  it('401 without a key or with a wrong one, on every route but /healthz', async () => {
    for (const [method, route] of [['GET', '/stories'], ['POST', '/stories'], ['GET', '/openapi.json'], ['GET', '/stories/00000000'], ['GET', '/no-such-route']]) {
      const none = await call(server, method, route, method === 'POST' ? { json: { topic: 'Troy' } } : {});
      expect(none.status, `${method} ${route}`).toBe(401);
      expect(none.body.error.code).toBe('unauthorized');
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const wrong = await call(server, method, route, { key: KEY + 'x' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error).toEqual({ code: 'unauthorized', message: 'the API key is not valid' });
    }
    const basic = await fetch(server.url + '/stories', { headers: { authorization: `Basic ${Buffer.from(`x:${KEY}`).toString('base64')}` } });
    expect(basic.status).toBe(401);
    const health = await call(server, 'GET', '/healthz');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  const bad: [string, { json?: unknown; body?: string; contentType?: string }, number, string, RegExp][] = [
    ['an empty topic', { json: { topic: '   ' } }, 400, 'invalid_request', /^the topic is empty: give the subject/],
    ['a 501-character topic', { json: { topic: 'x'.repeat(501) } }, 400, 'invalid_request', /longer than 500 characters/],
    ['a topic that is not a string', { json: { topic: 42 } }, 400, 'invalid_request', /^the topic must be a string$/],
    ['no topic', { json: { language: 'en-US' } }, 400, 'invalid_request', /^give a topic: the subject of the documentary/],
    ['an unknown language', { json: { topic: 'Troy', language: 'xx-YY' } }, 400, 'invalid_request', /^unknown language "xx-YY"; use one of en-US/],
    ['an unknown field', { json: { topic: 'Troy', voice: 'deep' } }, 400, 'invalid_request', /Unrecognized key: "voice"/],
    ['malformed JSON', { body: '{"topic": "Troy"' }, 400, 'invalid_json', /not valid JSON/],
    ['a JSON array', { json: [{ topic: 'Troy' }] }, 400, 'invalid_request', /expected object/],
    ['a __proto__ key', { body: '{"topic": "Troy", "__proto__": {"x": 1}}' }, 400, 'invalid_json', /not valid JSON/],
    ['a body that is not JSON', { body: 'topic=Troy', contentType: 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type', /Content-Type: application\/json/],
    ['a body over 64 KB', { json: { topic: 'x'.repeat(70_000) } }, 413, 'payload_too_large', /larger than 64 KB/],
  ];
  it.each(bad)('POST /stories refuses %s with the CLI’s message, and writes nothing', async (_what, req, status, code, message) => {
    const before = await total();
    const r = await call(server, 'POST', '/stories', { key: KEY, ...req });
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.message).toMatch(message);
    expect(await total()).toBe(before);
  });

  it('the same bad input gets the same message from the CLI and the API', async () => {
    const api = await call(server, 'POST', '/stories', { key: KEY, json: { topic: 'Troy', language: 'xx-YY' } });
    const r = await runCli(['create', 'Troy', '--language', 'xx-YY'], { cwd, env: env() });
    expect(r.stderr).toContain(`error: ${api.body.error.message}\n`);
  });

  it('404 for an unknown story or route; 400 for a bad page', async () => {
    const story = await call(server, 'GET', '/stories/00000000-0000-4000-8000-000000000000', { key: KEY });
    expect(story.status).toBe(404);
    expect(story.body.error).toEqual({ code: 'not_found', message: expect.stringMatching(/^no story with id "00000000-0000-4000-8000-000000000000"/) });
    expect((await call(server, 'POST', '/stories/0000/retry', { key: KEY })).status).toBe(404);
    const route = await call(server, 'DELETE', '/stories', { key: KEY });
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('not_found');
    const page = await call(server, 'GET', '/stories?limit=5000', { key: KEY });
    expect(page.status).toBe(400);
    expect(page.body.error.message).toBe('limit must be a whole number from 0 to 1000');
    expect((await call(server, 'GET', '/stories?limit=1&colour=red', { key: KEY })).status).toBe(400);
  });

  it('serves an OpenAPI 3.1 document that validates and is generated from the request schemas', async () => {
    const doc = await call(server, 'GET', '/openapi.json', { key: KEY });
    expect(doc.status).toBe(200);
    const result = await new Validator().validate(doc.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.body.paths).sort()).toEqual(['/healthz', '/stories', '/stories/{story_id}', '/stories/{story_id}/approve', '/stories/{story_id}/contact-sheet', '/stories/{story_id}/reject', '/stories/{story_id}/repetition', '/stories/{story_id}/retry', '/stories/{story_id}/review']);
    const body = doc.body.paths['/stories'].post.requestBody.content['application/json'].schema;
    expect(body).toMatchObject({ type: 'object', additionalProperties: false, required: ['topic'], properties: { topic: { type: 'string', minLength: 1, maxLength: 500 } } });
    expect(doc.body.paths['/stories'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['limit', 'offset']);
    expect(doc.body.paths['/healthz'].get.security).toEqual([]);
    expect(doc.body.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('logs one line a request, naming the key by its position and never the key', () => {
    const log = server.output();
    expect(log).toMatch(/INFO {2}request .*method=POST url=\/stories status=201 .*key=1/);
    // the path only: a query string is never logged (it could hold a key)
    expect(log).toMatch(/request .*method=GET url=\/stories status=200 .*key=2/);
    expect(log).not.toMatch(/limit=5/);
    expect(log).toMatch(/request .*status=401/);
    expect(log).not.toContain(KEY);
    expect(log).not.toContain(OTHER_KEY);
  });
});
