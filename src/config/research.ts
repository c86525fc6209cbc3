import { z } from 'zod';

/** `research`: how a Gemini-written (or the operator's) script is checked against its sources. */
export const researchSchema = z.strictObject({
  /**
   * What the script stage does with claims no recorded source backs. `off`: no claims call; `warn`:
   * record them and show them in `status`, the API and the log; `block`: fail the story at the script
   * stage with the unsupported claims listed (edit and run your own script with `--script`, or
   * `retry ID --from generate_script`). Needs the `gemini` writer; the offline writer has no sources.
   * Default `warn`.
   */
  factCheck: z.enum(['off', 'warn', 'block']).default('warn'),
});
