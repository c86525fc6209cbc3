import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../log.js';
import { ApiError, toApiError } from './errors.js';

/** How long a client may take to send its whole request body; then it is answered 408 and cut off. */
export const BODY_TIMEOUT_MS = 30_000;

/** Query parameters that look like a credential: refused, and query strings never logged. */
const KEY_PARAM = /^(?:api[-_]?key|key|token|access[-_]?token|auth|authorization|bearer|password|secret)$/i;
/** Headers some clients use for keys instead of Authorization. */
const KEY_HEADERS = ['x-api-key', 'api-key', 'x-auth-token'];

/** The path of a request URL, never its query string (which could hold a key). */
export function pathOf(url: string): string {
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q);
}

/**
 * Where an API key must not be: in the URL (proxies, browsers and logs keep URLs) or in a header of its
 * own. Returns the refusal, or null.
 */
export function keyOutsideAuthorization(req: FastifyRequest): ApiError | null {
  const q = req.url.indexOf('?');
  const params = q < 0 ? [] : [...new URLSearchParams(req.url.slice(q + 1)).keys()];
  const where = params.find((p) => KEY_PARAM.test(p)) ?? KEY_HEADERS.find((h) => req.headers[h] !== undefined);
  if (!where) return null;
  return new ApiError(
    400,
    'key_outside_authorization',
    `an API key goes only in the header "Authorization: Bearer <key>", not in ${params.includes(where) ? `the URL (?${where}=)` : `a ${where} header`}; ` +
      'a key that travelled in a URL may be in proxy and browser logs: replace it',
  );
}

/**
 * A request body must arrive whole within BODY_TIMEOUT_MS of the request. Node's own requestTimeout
 * is only checked every 30 s (so a slow body was read for up to a minute and more); this timer errors
 * the body stream at the deadline, which Fastify answers 408, and the connection is closed.
 */
export function bodyTimeout(app: FastifyInstance, ms = BODY_TIMEOUT_MS): void {
  app.addHook('preParsing', async (req, reply, payload) => {
    const raw = req.raw;
    const hasBody = raw.headers['transfer-encoding'] !== undefined || Number(raw.headers['content-length'] ?? 0) > 0;
    if (!hasBody || raw.complete) return payload;
    const timer = setTimeout(() => {
      if (raw.complete || payload.listenerCount('error') === 0) return;
      reply.header('connection', 'close');
      payload.emit('error', new ApiError(408, 'request_timeout', `the request body did not arrive within ${ms / 1000} s; send it whole, at once`));
    }, ms);
    timer.unref();
    const clear = () => clearTimeout(timer);
    raw.once('end', clear);
    raw.once('close', clear);
    return payload;
  });
}

/** Fastify's router refusals (a bad percent-encoding, an over-long path part) in the API's error shape. */
export function frameworkErrors(err: Error, _req: FastifyRequest, reply: FastifyReply): void {
  const api = toApiError(err);
  void reply.code(api.statusCode).send(api.toJSON());
}

/** What Node's HTTP parser refuses before Fastify sees a request (a 20 KB header, a broken request line), in the API's shape. */
export function clientErrors(logger: Logger) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const api =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError(431, 'headers_too_large', 'the request headers are larger than 16 KB')
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? new ApiError(408, 'request_timeout', 'the request did not arrive in time')
          : new ApiError(400, 'bad_request', 'the request is not valid HTTP/1.1');
    logger.debug('client error', { code: err.code, status: api.statusCode });
    const body = JSON.stringify(api.toJSON());
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${api.statusCode} ${http.STATUS_CODES[api.statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

/** JSON bodies must be UTF-8: invalid bytes are refused (400), not stored as U+FFFD. */
export function strictJson(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    try {
      text = decoder.decode(body as Buffer);
    } catch {
      done(new ApiError(400, 'invalid_encoding', 'the request body is not valid UTF-8; send JSON encoded as UTF-8'), undefined);
      return;
    }
    parse(req, text, done);
  });
}
