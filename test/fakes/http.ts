import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP server for the fakes: records every request and answers through `handle`. */

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: any;
  /** when the request arrived and when its answer was sent, ms since the server started */
  at: number;
  done?: number;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
  /** bytes or text sent as they are instead of `body` as JSON (files, HTML pages); set the content-type in `headers` */
  raw?: Buffer | string;
  /** wait this long before answering (a model's latency) */
  delayMs?: number;
}

export interface FakeServer {
  url: string;
  port: number;
  requests: FakeRequest[];
  /** performance.now() when the server started: the origin of `at` and `done` */
  startedAt: number;
  close(): Promise<void>;
}

export async function startFake(handle: (req: FakeRequest) => Reply | Promise<Reply>): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const t0 = performance.now();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        /* not JSON */
      }
      const r: FakeRequest = { method: req.method ?? 'GET', path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers, body, at: performance.now() - t0 };
      requests.push(r);
      try {
        const reply = await handle(r);
        if (reply.delayMs) await new Promise((ok) => setTimeout(ok, reply.delayMs));
        r.done = performance.now() - t0;
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.raw ?? JSON.stringify(reply.body));
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 500, message: `fake failed: ${(err as Error).message}`, status: 'INTERNAL' } }));
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    startedAt: t0,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** Google's error body: `{"error": {"code", "message", "status", "details"}}`. */
export function googleError(code: number, status: string, message: string, details: unknown[] = []): Reply {
  return { status: code, body: { error: { code, message, status, details } } };
}

/**
 * A 429 as Google sends it: `RESOURCE_EXHAUSTED` with the wait in the body, as a
 * `type.googleapis.com/google.rpc.RetryInfo` detail whose `retryDelay` is a Duration in JSON ("17s"),
 * beside QuotaFailure and Help details, and no Retry-After header.
 */
export function rateLimited(retryDelaySeconds: number, message = 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.'): Reply {
  return googleError(429, 'RESOURCE_EXHAUSTED', message, [
    { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generate_content_paid_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel' }] },
    { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryDelaySeconds}s` },
  ]);
}
