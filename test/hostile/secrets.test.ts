import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_URL, createDatabase } from '../helpers/db.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/services.js';

/**
 * A database password must not reach any output, whatever characters it holds: errors, --verbose
 * stacks, doctor (text and --json), logs (text and --log-json) and the API server's logs.
 */

const cwd = tempDir('la-hyg-secrets-');
const secretsIn = (text: string, secret: string) => [secret, encodeURIComponent(secret)].filter((s) => text.includes(s));

/** Passwords `new URL` cannot parse, or parses as a port, path or fragment. */
const UNPARSEABLE: [string, string][] = [
  ['a slash', 'pa/ssSECRET'],
  ['a question mark after digits', '12?SECRET'],
  ['a hash after digits', '12#SECRET'],
  ['an at sign', 'SE@CRET'],
  ['a percent sign', 'SE%zzCRET'],
  ['colons and non-ASCII', 'SE:CRÉT:ü'],
];

describe('a database password in a URL that cannot be parsed', () => {
  it.each(UNPARSEABLE)('with %s stays hidden in every output of status, doctor and serve', async (_what, password) => {
    const env = { DATABASE_URL: `postgres://la:${password}@127.0.0.1:1/db` };
    const runs = await Promise.all([
      runCli(['status'], { cwd, env }),
      runCli(['status', '--verbose'], { cwd, env }),
      runCli(['status', '--verbose', '--log-json'], { cwd, env }),
      runCli(['doctor'], { cwd, env }),
      runCli(['doctor', '--json', '--verbose'], { cwd, env }),
      runCli(['serve', '--port', '0', '--verbose', '--log-json'], { cwd, env }),
    ]);
    for (const r of runs) {
      expect(r.code).not.toBe(0);
      expect(secretsIn(r.stdout + r.stderr, password)).toEqual([]);
    }
    // the operator still sees where it tried to connect
    expect(runs[0].stderr).toMatch(/postgres:\/\/la:\*\*\*\*@127\.0\.0\.1:1\/db/);
    expect(runs[3].stdout).toMatch(/FAIL database .*la:\*\*\*\*@127\.0\.0\.1:1\/db/);
  });
});

describe('a working database whose password holds / ? # @ % : and non-ASCII', () => {
  const password = 'SE/C?R#E@T%:ü';
  const role = `hygiene_${process.pid}`;
  let url = '';
  let drop = async () => {};
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    await admin(`create role ${role} login password ${pg.escapeLiteral(password)}`);
    const created = await createDatabase('hygiene');
    await admin(`alter database ${created.name} owner to ${role}`);
    const u = new URL(created.url);
    u.username = role;
    u.password = encodeURIComponent(password);
    url = u.toString();
    drop = async () => {
      await created.drop();
      await admin(`drop role if exists ${role}`);
    };
    const migrated = await runCli(['db', 'migrate', '--verbose'], { cwd, env: { DATABASE_URL: url } });
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(secretsIn(migrated.stdout + migrated.stderr, password)).toEqual([]);
  });
  afterAll(() => drop());

  it('doctor names the database with the password masked, in text and JSON', async () => {
    const env = { DATABASE_URL: url };
    const text = await runCli(['doctor', '--verbose'], { cwd, env });
    expect(text.stdout).toMatch(new RegExp(`ok\\s+database\\s+postgres://${role}:\\*\\*\\*\\*@127\\.0\\.0\\.1:5432/hygiene_`));
    const json = await runCli(['doctor', '--json', '--log-json', '--verbose'], { cwd, env });
    expect(JSON.parse(json.stdout).checks.find((c: { name: string }) => c.name === 'database').detail).toMatch(`${role}:****@`);
    for (const r of [text, json]) expect(secretsIn(r.stdout + r.stderr, password)).toEqual([]);
  });

  it('the API server logs requests and its database without the password', async () => {
    const server = startCli(['serve', '--port', '0', '--json', '--verbose', '--log-json'], { cwd, env: { DATABASE_URL: url } });
    let base = '';
    await waitFor(() => {
      base = /"url": "(http:\/\/[^"]+)"/.exec(server.output())?.[1] ?? '';
      return !!base;
    }, 120_000, 'serve to listen');
    expect((await fetch(`${base}/stories`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'Troy' }) })).status).toBe(201);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await waitFor(() => /"msg":"request".*"status":201/.test(server.output()), 30_000, 'the request log line');
    server.kill('SIGTERM');
    await server.closed;
    expect(secretsIn(server.output(), password)).toEqual([]);
  });
});
