import { z } from 'zod';

/** A Supabase Storage bucket name (the rule `storage.bucket` and init's question share). */
export const bucketNameSchema = z.string().min(3).max(63).regex(/^[a-z0-9][a-z0-9._-]*$/, 'a bucket name: lowercase letters, digits, dots, dashes, underscores');

export const supabaseStorageSchema = z.strictObject({
  /** Supabase Storage: `SUPABASE_URL` and `SUPABASE_SERVICE_ROLE_KEY` come from the environment only. */
  kind: z.literal('supabase'),
  /** Bucket the files go to (create it first, in the dashboard or with `supabase storage`). */
  bucket: bucketNameSchema,
  /** A public bucket: rows keep permanent public URLs. Default false: rows keep signed URLs that expire after `signedUrlSeconds`. */
  public: z.boolean().default(false),
  /** How long signed URLs (private buckets) stay valid, in seconds. Default 604800 (7 days). */
  signedUrlSeconds: z.number().int().min(60).max(31_536_000).default(604_800),
  /** Files above this many MB go up with the resumable (TUS) upload in 6 MB chunks. Default 6. */
  resumableAboveMB: z.number().min(0).max(5_000).default(6),
});

export const storageSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    /** `local`: files under `<dataDir>/storage`; shared by processes on one machine (or a shared mount) only. */
    kind: z.literal('local'),
  }),
  supabaseStorageSchema,
]);
export type StorageConfig = z.output<typeof storageSchema>;
