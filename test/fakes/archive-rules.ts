import type { FakeRequest, Reply } from './http.js';

/**
 * What both archives refuse before answering, and the failures a test can queue. Wikimedia answers a
 * request without a real User-Agent with 403 and a plain-text pointer to its policy
 * (https://meta.wikimedia.org/wiki/User-Agent_policy: "Scripts should use an informative User-Agent
 * string with contact information, or they may be blocked without notice"); generic client agents
 * (node's own `node`, curl, python-requests) count as none. loc.gov blocks unidentified crawlers with
 * 403 as well. 429 carries Retry-After; 5xx is an HTML error page, as both send them.
 */

const GENERIC = /^(node|undici|curl\/|python-requests|axios|go-http-client|wget)/i;

export function userAgentRefusal(r: FakeRequest, body: string): Reply | null {
  const ua = String(r.headers['user-agent'] ?? '');
  if (!ua || GENERIC.test(ua) || !/(@|https?:\/\/)/.test(ua)) return { status: 403, headers: { 'content-type': 'text/plain' }, raw: body, body: null };
  return null;
}

export interface Failure {
  status: number;
  retryAfter?: number;
}

/** Failures answered to the next requests, in order (then the fake answers normally again). */
export class FailureQueue {
  private queue: Failure[] = [];
  push(...f: Failure[]): void {
    this.queue.push(...f);
  }
  next(): Reply | null {
    const f = this.queue.shift();
    if (!f) return null;
    const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
    if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
    const text = f.status === 429 ? '<!DOCTYPE html><html><head><title>Too many requests</title></head><body><p>Too many requests</p></body></html>' : `<!DOCTYPE html><html><head><title>Wikimedia Error</title></head><body><p>Our servers are currently under maintenance or experiencing a technical issue (${f.status})</p></body></html>`;
    return { status: f.status, headers, raw: text, body: null };
  }
}

/** The words a full-text search must find in a record, as CirrusSearch and loc.gov AND them. */
export function matches(query: string, text: string): boolean {
  const words = query.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length >= 3 && !['the', 'and', 'for', 'with', 'from'].includes(w));
  const have = text.toLowerCase().split(/[^a-z0-9]+/);
  return words.length > 0 && words.every((w) => have.some((h) => h === w || h.startsWith(w) || (w.startsWith(h) && h.length >= 4)));
}

/** An image file answer. */
export function fileReply(bytes: Buffer, mime: string): Reply {
  return { headers: { 'content-type': mime, 'content-length': String(bytes.length) }, raw: bytes, body: null };
}
