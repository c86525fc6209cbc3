import fs from 'node:fs';
import path from 'node:path';
import { startCli, waitFor } from './cli.js';

export type Server = ReturnType<typeof startCli> & { url: string; cwd: string };

/** Writes `.lost-archivesrc.json` in `cwd`. */
export function writeConfig(cwd: string, config: object): void {
  fs.writeFileSync(path.join(cwd, '.lost-archivesrc.json'), JSON.stringify(config));
}

/** Starts the real `lost-archives serve --port 0 --json` and waits for the address it prints. */
export async function startServe(cwd: string, env: Record<string, string | undefined> = {}, args: string[] = []): Promise<Server> {
  const child = startCli(['serve', '--port', '0', '--json', ...args], { cwd, env });
  let url = '';
  await waitFor(
    () => {
      const m = /"url": "(http:\/\/[^"]+)"/.exec(child.output());
      if (m) url = m[1];
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${child.output()}`);
      return !!url;
    },
    120_000,
    'serve to listen',
  );
  return Object.assign(child, { url, cwd });
}

/** A JSON request; answers the status, the parsed body and the headers. */
export async function call(
  server: { url: string },
  method: string,
  route: string,
  opts: { key?: string; json?: unknown; body?: string; contentType?: string } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: string | undefined = opts.body;
  if (opts.json !== undefined) body = JSON.stringify(opts.json);
  if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  const res = await fetch(server.url + route, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}
