import fs from 'node:fs';
import * as tus from 'tus-js-client';

export interface TusUploadOptions {
  /** `{SUPABASE_URL}/storage/v1/upload/resumable` */
  endpoint: string;
  key: string;
  bucket: string;
  objectName: string;
  file: string;
  size: number;
  contentType: string;
  chunkSize: number;
  retryDelays: number[];
  /** stops the upload; the promise rejects with the signal's reason */
  signal?: AbortSignal;
}

/**
 * A failed TUS request, with the HTTP status when there was an answer (none: the connection failed) and
 * the body's `statusCode` when it was a JSON error (a refused key answers HTTP 400 with `"statusCode":"403"`).
 */
export class TusError extends Error {
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }, readonly statusCode?: string) {
    super(message, options);
    this.name = 'TusError';
  }
}

function describe(err: Error | tus.DetailedError): TusError {
  const res = (err as tus.DetailedError).originalResponse;
  if (!res) return new TusError(`resumable upload failed: ${err.message}`, undefined, { cause: err });
  const body = res.getBody() ?? '';
  let message = body;
  let statusCode: string | undefined;
  try {
    const parsed = JSON.parse(body) as { message?: string; error?: string; statusCode?: string | number };
    message = parsed.message ?? parsed.error ?? body;
    statusCode = parsed.statusCode === undefined ? undefined : String(parsed.statusCode);
  } catch {
    /* plain text (the TUS server's own errors) */
  }
  return new TusError(message || `HTTP ${res.getStatus()}`, res.getStatus(), { cause: err }, statusCode);
}

/**
 * Uploads a file with Supabase's resumable (TUS) endpoint: streamed from disk chunk by chunk (each chunk
 * re-read from the file, so a dropped connection resumes at the server's offset), as an upsert.
 */
export function tusUpload(o: TusUploadOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(fs.createReadStream(o.file), {
      endpoint: o.endpoint,
      retryDelays: o.retryDelays,
      headers: { authorization: `Bearer ${o.key}`, apikey: o.key, 'x-upsert': 'true' },
      uploadDataDuringCreation: true,
      removeFingerprintOnSuccess: true,
      storeFingerprintForResuming: false,
      metadata: { bucketName: o.bucket, objectName: o.objectName, contentType: o.contentType, cacheControl: '3600' },
      chunkSize: o.chunkSize,
      uploadSize: o.size,
      onError: (err) => {
        o.signal?.removeEventListener('abort', stop);
        reject(describe(err));
      },
      onSuccess: () => {
        o.signal?.removeEventListener('abort', stop);
        resolve();
      },
    });
    // a stop request ends the upload where it is (the server keeps what it has; a new upload starts over)
    const stop = () => {
      void upload.abort(false);
      reject(o.signal!.reason);
    };
    if (o.signal?.aborted) return reject(o.signal.reason);
    o.signal?.addEventListener('abort', stop, { once: true });
    upload.start();
  });
}
