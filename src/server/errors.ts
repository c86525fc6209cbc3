import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ConflictError, NotFoundError, UsageError, isConnectionError } from '../errors.js';
import { issuesMessage } from '../stories.js';

/** Largest request body the API reads, in bytes; a larger one is answered 413. */
export const BODY_LIMIT = 64 * 1024;

/** An error the API answers as `{"error": {"code", "message"}}` with this HTTP status. */
export class ApiError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }

  toJSON(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Fastify's own errors that the client caused, by their code. */
const FRAMEWORK: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', `the request body is larger than ${BODY_LIMIT / 1024} KB`],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'send the body as JSON, with Content-Type: application/json'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'the request body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json', 'the request says Content-Type: application/json but has no body'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request', 'the request body is not as long as its Content-Length says'],
  FST_ERR_BAD_URL: [400, 'invalid_url', 'the URL holds an invalid percent-encoding (it must be UTF-8, e.g. %C3%A9)'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'uri_too_long', 'a part of the URL path is longer than 100 characters; story ids are 36'],
};

/**
 * What any error becomes on the wire. Validation uses the CLI's messages; the kinds of src/errors.ts
 * decide the status (a usage error is the client's: 400, 404 or 409). Anything else is the server's
 * and says no more than that (the log has the details).
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) return new ApiError(400, 'invalid_request', issuesMessage(err.validation.map((v) => ({ message: v.message ?? v.keyword }))));
  if (err instanceof NotFoundError) return new ApiError(404, 'not_found', err.message);
  if (err instanceof ConflictError) return new ApiError(409, 'conflict', err.message);
  if (err instanceof UsageError) return new ApiError(400, 'invalid_request', err.message);
  const e = err as { code?: string; statusCode?: number; message?: string };
  const known = e.code ? FRAMEWORK[e.code] : undefined;
  if (known) return new ApiError(...known);
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new ApiError(e.statusCode, 'bad_request', e.message ?? 'bad request');
  if (isConnectionError(err)) return new ApiError(503, 'unavailable', 'the database is unreachable; try again later');
  return new ApiError(500, 'internal', 'internal error; the server log has the details');
}
