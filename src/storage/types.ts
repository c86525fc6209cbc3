/** Where stills, narration, subtitles and videos are kept. Keys are deterministic, so re-runs overwrite. */
export interface Storage {
  readonly kind: string;
  readonly description: string;
  /**
   * Stores bytes or a file under `key`; returns its URL and size. `signal` stops a long upload (a worker
   * shutting down): the promise rejects with the signal's reason.
   */
  put(key: string, source: Buffer | { file: string }, contentType: string, signal?: AbortSignal): Promise<{ url: string; bytes: number }>;
  exists(key: string): Promise<boolean>;
  /**
   * A local file with the object's bytes (downloaded first when the storage is remote); a missing key is a
   * PermanentError. `signal` stops a download, leaving no partial file.
   */
  localPath(key: string, signal?: AbortSignal): Promise<string>;
  /** A URL to the object: a file:// URL, a public URL, or a signed URL that expires. */
  url(key: string): Promise<string>;
  /** Removes every object whose key starts with `prefix`. */
  removePrefix(prefix: string): Promise<void>;
  /** Frees the disk space of local copies made by `localPath` under `prefix` (the objects stay stored). */
  dropLocalCopies(prefix: string): Promise<void>;
}

export const keys = {
  scene: (storyId: string, position: number, file: string) => `stories/${storyId}/scenes/${String(position).padStart(2, '0')}/${file}`,
  story: (storyId: string, file: string) => `stories/${storyId}/${file}`,
};
