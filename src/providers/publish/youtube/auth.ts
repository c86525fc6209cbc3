import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeChallengeMethod } from 'google-auth-library';
import type { Config } from '../../../config.js';
import { RuntimeError, UsageError } from '../../../errors.js';
import { SCOPES, clientSecrets, oauthClient, tokenFilePath, writeToken } from './client.js';

export interface AuthorizeOptions {
  config: Config;
  env: NodeJS.ProcessEnv;
  /** Shows the operator a line (the URL to open, what to do). */
  say: (line: string) => void;
  /**
   * For a machine without a browser: reads the redirect URL (or just the code) the operator pastes.
   * Absent: only the loopback callback is awaited.
   */
  readPasted?: () => Promise<string>;
  /** Gives up after this long. Default 10 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body>`;

/** A code from what was pasted: the whole redirect URL (state checked) or the bare code. */
function codeFromPasted(text: string, state: string): string {
  const line = text.trim();
  if (!/^https?:\/\//i.test(line)) return line;
  const url = new URL(line);
  const error = url.searchParams.get('error');
  if (error) throw new RuntimeError(`Google refused the authorisation (${error})`);
  if (url.searchParams.get('state') !== state) throw new UsageError('the pasted URL is not from this authorisation (its state does not match); run `lost-archives auth youtube` again');
  const code = url.searchParams.get('code');
  if (!code) throw new UsageError('the pasted URL has no code= parameter; paste the whole address the browser ended on');
  return code;
}

/**
 * The OAuth 2.0 installed-app flow with a loopback redirect: listens on 127.0.0.1 on a random port,
 * shows the consent URL (offline access, consent prompt, state, PKCE S256), takes the code from the
 * callback (or, without a browser here, from what the operator pastes), exchanges it, and stores the
 * refresh token in the token file with owner-only permissions.
 */
export async function authorizeYoutube(opts: AuthorizeOptions): Promise<{ file: string; scope: string | null }> {
  const secrets = clientSecrets(opts.env);
  if (!secrets) throw new UsageError('set YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET to your OAuth client (a "Desktop app" client in Google Cloud; see the README), then run this again');
  const file = tokenFilePath(opts.config, opts.env);
  const state = crypto.randomBytes(24).toString('base64url');

  let settle!: { resolve: (code: string) => void; reject: (err: unknown) => void };
  const gotCode = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  // the callback's response waits until the code is exchanged, so the browser shows how it ended
  const browser: { answer?: (ok: boolean, text: string) => void } = {};
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/' || (!url.searchParams.has('code') && !url.searchParams.has('error'))) {
      res.writeHead(404).end();
      return;
    }
    if (url.searchParams.get('state') !== state) {
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE('Wrong request', 'This is not the authorisation lost-archives is waiting for.'));
      return;
    }
    const error = url.searchParams.get('error');
    browser.answer = (ok, text) => res.writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE(ok ? 'lost-archives is authorised' : 'Not authorised', text));
    if (error) {
      browser.answer(false, `Access was not granted (${error}). Run lost-archives auth youtube again to retry.`);
      settle.reject(new RuntimeError(`Google refused the authorisation (${error}); run \`lost-archives auth youtube\` to try again`));
    } else settle.resolve(url.searchParams.get('code')!);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const timer = setTimeout(() => settle.reject(new RuntimeError('no authorisation arrived in time; run `lost-archives auth youtube` again')), opts.timeoutMs ?? 600_000);
  const onAbort = () => settle.reject(new RuntimeError('authorisation interrupted'));
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const client = oauthClient(opts.config, secrets, redirectUri);
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const url = client.generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: SCOPES,
      state,
      code_challenge_method: CodeChallengeMethod.S256,
      code_challenge: codeChallenge,
    });
    opts.say('Open this address in a browser and allow access for the YouTube channel that should publish:');
    opts.say('');
    opts.say(`  ${url}`);
    opts.say('');
    if (opts.readPasted) {
      opts.say('Without a browser on this machine: after allowing, the browser ends on an address starting with');
      opts.say(`${redirectUri}/?... that does not load. Copy that whole address and paste it here.`);
      opts.readPasted().then((text) => {
        try {
          settle.resolve(codeFromPasted(text, state));
        } catch (err) {
          settle.reject(err);
        }
      }, settle.reject);
    } else opts.say(`Waiting for the browser to come back to ${redirectUri} ...`);

    const code = await gotCode;
    let tokens;
    try {
      ({ tokens } = await client.getToken({ code, codeVerifier, redirect_uri: redirectUri }));
    } catch (err) {
      const e = err as { response?: { data?: { error?: string; error_description?: string } } };
      const why = e.response?.data?.error_description ?? e.response?.data?.error ?? (err as Error).message;
      browser.answer?.(false, 'Google did not accept the code; see the terminal.');
      throw new RuntimeError(`Google did not exchange the code for tokens (${why}); run \`lost-archives auth youtube\` again`);
    }
    if (!tokens.refresh_token) {
      browser.answer?.(false, 'Google sent no refresh token; see the terminal.');
      throw new RuntimeError('Google sent no refresh token: remove lost-archives from https://myaccount.google.com/permissions, then run `lost-archives auth youtube` again');
    }
    writeToken(file, { refresh_token: tokens.refresh_token, scope: tokens.scope ?? undefined, client_id: secrets.clientId, obtained_at: new Date().toISOString() });
    browser.answer?.(true, 'You can close this tab and return to the terminal.');
    return { file, scope: tokens.scope ?? null };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    server.closeAllConnections();
    server.close();
  }
}
