import { z } from 'zod';

/** `serve`: the HTTP API. */
export const serveSchema = z.strictObject({
  /** Port `serve` listens on; `--port` wins. Default 8080. */
  port: z.number().int().min(0).max(65_535).default(8080),
  /** Address `serve` listens on; `--host` wins. Anything but loopback needs `LOST_ARCHIVES_API_KEYS`. Default `127.0.0.1`. */
  host: z.string().min(1).default('127.0.0.1'),
  rateLimit: z
    .strictObject({
      /** New stories (`POST /stories`) one API key may create per window. Default 10. */
      max: z.number().int().min(1).max(100_000).default(10),
      /** The window, in seconds. Default 60. */
      windowSeconds: z.number().min(1).max(86_400).default(60),
    })
    .prefault({}),
});
