import { z } from 'zod';

/** `publish`: what happens between a finished render and the upload. */
export const publishSchema = z.strictObject({
  /**
   * Hold every new story's upload until `lost-archives approve ID` (or `reject ID --from STAGE`); `create
   * --approval / --no-approval` decides per story. Default false (upload right after the render).
   */
  approval: z.boolean().default(false),
});
