import type http from 'node:http';

/**
 * What YouTube refuses, and how it says so: Google's error bodies and the checks the Data API makes on a
 * request before acting on it (from the videos.insert, thumbnails.set, captions.insert and errors pages).
 */

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  410: 'NOT_FOUND',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** A refusal: HTTP status, the `errors[0].reason`, its message and domain, and any `details` (RetryInfo). */
export interface Refusal {
  status: number;
  reason: string;
  message: string;
  domain?: string;
  details?: unknown[];
  headers?: http.OutgoingHttpHeaders;
}

export function sendRefusal(res: http.ServerResponse, r: Refusal): void {
  res.writeHead(r.status, { 'content-type': 'application/json; charset=UTF-8', ...r.headers });
  const error = { code: r.status, message: r.message, errors: [{ message: r.message, domain: r.domain ?? 'youtube.api', reason: r.reason }], status: STATUS[r.status] ?? 'UNKNOWN' };
  res.end(JSON.stringify({ error: r.details ? { ...error, details: r.details } : error }));
}

/** The injected failures tests ask for by name, with the bodies Google sends. */
export const INJECTED: Record<string, Refusal> = {
  // a 429 says how long to wait in the body (google.rpc.RetryInfo), not in a Retry-After header
  429: {
    status: 429,
    reason: 'rateLimitExceeded',
    domain: 'global',
    message: 'Resource has been exhausted (e.g. check quota).',
    details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '30s' }],
  },
  userRateLimitExceeded: { status: 403, reason: 'userRateLimitExceeded', domain: 'usageLimits', message: 'The request cannot be completed because you have exceeded your rate limit.' },
  403: { status: 403, reason: 'forbidden', message: 'The authenticated user does not have permissions to upload and set custom video thumbnails.' },
  500: { status: 500, reason: 'backendError', domain: 'global', message: 'Backend Error' },
  503: { status: 503, reason: 'backendError', domain: 'global', message: 'Backend Error' },
};

export const missingPart: Refusal = { status: 400, reason: 'required', domain: 'global', message: 'Required parameter: part' };

/** The properties of `resource` that `part` names; YouTube ignores the others (a `status` not in part is not set). */
export function partsOf(resource: Record<string, unknown>, part: string): Record<string, unknown> {
  const names = part.split(',').map((p) => p.trim());
  return Object.fromEntries(Object.entries(resource).filter(([k]) => names.includes(k)));
}

/** videos.insert's checks on the resource: title, description, tags, schedule. */
export function videoRefusal(resource: { snippet?: any; status?: any }): Refusal | null {
  const s = resource.snippet ?? {};
  const title = typeof s.title === 'string' ? s.title : '';
  if (!title.trim() || [...title].length > 100 || /[<>]/.test(title)) {
    return { status: 400, reason: 'invalidTitle', message: 'The request metadata specifies an invalid or empty video title.' };
  }
  const description = typeof s.description === 'string' ? s.description : '';
  if (Buffer.byteLength(description) > 5000 || /[<>]/.test(description)) {
    return { status: 400, reason: 'invalidDescription', message: 'The request metadata specifies an invalid video description.' };
  }
  const tags: string[] = Array.isArray(s.tags) ? s.tags : [];
  // a tag with a space is counted with the quotes YouTube puts around it
  if (tags.reduce((n, t) => n + [...t].length + (t.includes(' ') ? 2 : 0), 0) + Math.max(0, tags.length - 1) > 500) {
    return { status: 400, reason: 'invalidTags', message: 'The request metadata specifies invalid video keywords.' };
  }
  const st = resource.status ?? {};
  if (st.publishAt !== undefined && (st.privacyStatus !== 'private' || Number.isNaN(Date.parse(st.publishAt)))) {
    return { status: 400, reason: 'invalidPublishAt', message: 'The request metadata specifies an invalid scheduled publishing time.' };
  }
  return null;
}

/** captions.insert's checks on the snippet (a name is required; at most 150 characters). */
export function captionRefusal(snippet: any, body: string): Refusal | null {
  if (!body) return { status: 400, reason: 'contentRequired', message: 'The request does not contain the caption track contents.' };
  if (!snippet?.language || typeof snippet.name !== 'string' || !snippet.name.trim() || !snippet.videoId) {
    return {
      status: 400,
      reason: 'invalidMetadata',
      message: 'The request contains invalid metadata values, which prevent the track from being created. Confirm that the request specifies valid values for the snippet.language, snippet.name, and snippet.videoId properties.',
    };
  }
  if ([...snippet.name].length > 150) return { status: 400, reason: 'nameTooLong', message: 'The snippet.name specified in the request is too long. The maximum length supported is 150 characters.' };
  return null;
}

export const captionExists: Refusal = {
  status: 409,
  reason: 'captionExists',
  message: 'The specified video already has a caption track with the given snippet.language and snippet.name values. A video can have multiple tracks for the same language, but each track must have a different name.',
};

/** thumbnails.set takes JPEG or PNG up to 2 MB. */
export const THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024;
export const thumbnailTooLarge: Refusal = { status: 413, reason: 'uploadTooLarge', domain: 'global', message: `Media larger than: ${THUMBNAIL_MAX_BYTES}` };

export const badChunk = (length: number): Refusal => ({
  status: 400,
  reason: 'badRequest',
  domain: 'global',
  message: `Invalid request. The number of bytes uploaded is required to be a multiple of 262144, except for the final request. The received request contained ${length} bytes, which does not meet this requirement.`,
});
