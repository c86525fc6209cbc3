import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/types.js';
import { createLogger } from '../../src/log.js';
import { buildApp } from '../../src/server/app.js';
import { bearerCheck, isLoopback, parseApiKeys } from '../../src/server/auth.js';
import { openPglite } from '../../src/db/pglite.js';
import { migrate } from '../../src/db/migrate.js';
import { testConfig, testServices } from '../helpers/services.js';

/** The app in-process, on a database that fails: what a client and the log see. */

function failingDb(err: Error): Db {
  const fail = async () => {
    throw err;
  };
  return { kind: 'postgres', description: 'postgres://x@y/z', query: fail, exec: fail, transaction: fail, listen: fail, close: async () => {} };
}

async function appOn(err: Error) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });
  const app = await buildApp(testServices(failingDb(err), testConfig(), logger), { keys: ['secret-key'], rateLimit: { max: 5, windowSeconds: 60 } });
  return { app, lines };
}

describe('the API when the database fails', () => {
  it('/healthz answers 503 without a key; a read answers 503 for a lost connection', async () => {
    const { app, lines } = await appOn(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toEqual({ error: { code: 'unavailable', message: 'the database is unreachable' } });
    const read = await app.inject({ method: 'GET', url: '/stories', headers: { authorization: 'Bearer secret-key' } });
    expect(read.statusCode).toBe(503);
    expect(read.json().error.code).toBe('unavailable');
    expect(lines.join('\n')).toMatch(/health check: database unreachable/);
    await app.close();
  });

  it('any other failure is a 500 that tells the client nothing internal and the log what happened', async () => {
    const { app, lines } = await appOn(new Error('relation "stories" does not exist'));
    const r = await app.inject({ method: 'GET', url: '/stories/0000', headers: { authorization: 'Bearer secret-key' } });
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ error: { code: 'internal', message: 'internal error; the server log has the details' } });
    expect(lines.join('\n')).toMatch(/ERROR request failed .*relation \\"stories\\" does not exist/);
    await app.close();
  });
});

describe('API keys', () => {
  it('are read from a comma-separated list, blanks ignored', () => {
    expect(parseApiKeys(' a1 ,, b2,')).toEqual(['a1', 'b2']);
    expect(parseApiKeys(undefined)).toEqual([]);
  });

  it('a Bearer header names the key by its position; anything else is null', () => {
    const check = bearerCheck(['first-key', 'second-key']);
    expect(check('Bearer second-key')).toBe(2);
    expect(check('bearer first-key')).toBe(1);
    expect(check('Bearer first-ke')).toBeNull();
    expect(check('Bearer first-key2')).toBeNull();
    expect(check('first-key')).toBeNull();
    expect(check('Basic first-key')).toBeNull();
    expect(check(undefined)).toBeNull();
    expect(bearerCheck([])('Bearer ')).toBeNull();
  });

  it('loopback addresses are told apart from the network', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.20', '10.0.0.1', 'example.com', '::ffff:10.0.0.1']) expect(isLoopback(h), h).toBe(false);
  });
});

describe("a story's own YouTube settings through the API", () => {
  it('are stored with the story when the youtube publisher is configured, and refused (400) otherwise', async () => {
    const db = await openPglite('memory');
    try {
      await migrate(db);
      const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };
      const youtube = await buildApp(testServices(db, testConfig({ providers: { publish: 'youtube' } })), { keys: ['k'], rateLimit: { max: 50, windowSeconds: 60 } });
      const created = await youtube.inject({ method: 'POST', url: '/stories', headers, payload: { topic: 'Troy', privacy: 'private', publish_at: '2099-12-01T17:00:00Z' } });
      expect(created.statusCode, created.body).toBe(201);
      const [row] = await db.query<{ privacy: string; publish_at: Date }>('select privacy, publish_at from youtube_uploads where story_id = $1', [created.json().story_id]);
      expect(row).toEqual({ privacy: 'private', publish_at: new Date('2099-12-01T17:00:00Z') });
      const past = await youtube.inject({ method: 'POST', url: '/stories', headers, payload: { topic: 'Troy', publish_at: '2020-01-01T00:00:00Z' } });
      expect(past.statusCode).toBe(400);
      expect(past.json().error.message).toMatch(/in the past/);
      await youtube.close();

      const folder = await buildApp(testServices(db, testConfig()), { keys: ['k'], rateLimit: { max: 50, windowSeconds: 60 } });
      const refused = await folder.inject({ method: 'POST', url: '/stories', headers, payload: { topic: 'Troy', privacy: 'public' } });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.message).toMatch(/settings of the youtube publisher/);
      await folder.close();
      // nothing was written for the refused requests
      expect((await db.query<{ n: number }>('select count(*)::int as n from stories'))[0].n).toBe(1);
    } finally {
      await db.close();
    }
  });
});
