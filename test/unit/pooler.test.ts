import { describe, expect, it } from 'vitest';
import { transactionPooler } from '../../src/db/pooler.js';

describe('transaction pooler detection', () => {
  it("recognises Supabase's transaction pooler and PgBouncer URLs, not direct or session connections", () => {
    expect(transactionPooler('postgres://postgres.abc:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres')).toMatch(/port 6543/);
    expect(transactionPooler('postgres://u:p@db.example.com:6432/app?pgbouncer=true')).toMatch(/pgbouncer=true/);
    // the session pooler (5432) and the direct connection keep LISTEN/NOTIFY
    expect(transactionPooler('postgres://postgres.abc:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres')).toBeNull();
    expect(transactionPooler('postgres://postgres:pw@db.abc.supabase.co:5432/postgres')).toBeNull();
    expect(transactionPooler(undefined)).toBeNull();
    expect(transactionPooler('not a url')).toBeNull();
  });
});
