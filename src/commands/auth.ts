import readline from 'node:readline/promises';
import { loadConfig } from '../config.js';
import { authorizeYoutube } from '../providers/publish/youtube/auth.js';
import { type GlobalOptions, printJson, stopSignal } from './common.js';

export interface AuthYoutubeOptions {
  /** false with `--no-browser`: paste the redirect address instead of waiting for the callback */
  browser?: boolean;
  json?: boolean;
}

/** `auth youtube`: authorise the channel once; the refresh token is stored outside the repository (0600). */
export async function authYoutube(g: GlobalOptions, opts: AuthYoutubeOptions): Promise<void> {
  const config = await loadConfig({ configPath: g.config });
  const readPasted = async () => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: false });
    try {
      return await rl.question('Address (or code): ');
    } finally {
      rl.close();
    }
  };
  const result = await authorizeYoutube({
    config,
    env: process.env,
    say: (line) => process.stderr.write(line + '\n'),
    readPasted: opts.browser === false ? readPasted : undefined,
    signal: stopSignal(),
  });
  if (opts.json) printJson({ token_file: result.file, scope: result.scope });
  else process.stdout.write(`authorised: the refresh token is stored in ${result.file} (readable by you only)\n`);
}
