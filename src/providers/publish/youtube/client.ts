import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import type { Config } from '../../../config.js';
import { PermanentError } from '../../../errors.js';

/** What `auth youtube` asks for: uploads, plus captions and playlists (force-ssl). */
export const SCOPES = ['https://www.googleapis.com/auth/youtube.upload', 'https://www.googleapis.com/auth/youtube.force-ssl'];

export const AUTH_HINT = 'run `lost-archives auth youtube`';

export interface ClientSecrets {
  clientId: string;
  clientSecret: string;
}

/** What `auth youtube` stores: the refresh token and what it was issued for. Never the client secret. */
export interface StoredToken {
  refresh_token: string;
  scope?: string;
  client_id: string;
  obtained_at: string;
}

/** The OAuth client's id and secret, from `YOUTUBE_CLIENT_ID` and `YOUTUBE_CLIENT_SECRET`; null when either is missing. */
export function clientSecrets(env: NodeJS.ProcessEnv): ClientSecrets | null {
  const clientId = env.YOUTUBE_CLIENT_ID?.trim();
  const clientSecret = env.YOUTUBE_CLIENT_SECRET?.trim();
  return clientId && clientSecret ? { clientId, clientSecret } : null;
}

/** The token file: `youtube.tokenFile`, or `youtube.json` under the OS config folder (`$XDG_CONFIG_HOME`, `~/.config`). */
export function tokenFilePath(config: Config, env: NodeJS.ProcessEnv = process.env): string {
  if (config.youtube.tokenFile) return config.youtube.tokenFile;
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'lost-archives', 'youtube.json');
}

export function readToken(file: string): StoredToken | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const token = JSON.parse(text) as StoredToken;
  return typeof token.refresh_token === 'string' && token.refresh_token ? token : null;
}

/** Writes the token file readable by its owner only (0600, in a 0700 folder), atomically. */
export function writeToken(file: string, token: StoredToken): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(token, null, 2) + '\n', { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/** An OAuth2Client for the configured endpoints (Google's, or a fake's in tests). */
export function oauthClient(config: Config, secrets: ClientSecrets, redirectUri?: string): OAuth2Client {
  return new OAuth2Client({
    clientId: secrets.clientId,
    clientSecret: secrets.clientSecret,
    redirectUri,
    endpoints: { oauth2AuthBaseUrl: config.youtube.oauth.authUrl, oauth2TokenUrl: config.youtube.oauth.tokenUrl },
  });
}

/** What is missing before the `youtube` publisher can work, each with what to do; empty when ready. */
export function missingAuthorisation(config: Config, env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  if (!clientSecrets(env)) problems.push('YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET must be set (the OAuth client from Google Cloud; see the README)');
  const file = tokenFilePath(config, env);
  try {
    if (!readToken(file)) problems.push(`no YouTube authorisation stored in ${file}: ${AUTH_HINT}`);
  } catch (err) {
    problems.push(`cannot read ${file} (${(err as Error).message}): ${AUTH_HINT} again`);
  }
  return problems;
}

/** The client that every YouTube call goes through, authorised with the stored refresh token. */
export function authorisedClient(config: Config, env: NodeJS.ProcessEnv = process.env): OAuth2Client {
  const problems = missingAuthorisation(config, env);
  if (problems.length) throw new PermanentError(`cannot publish to YouTube: ${problems.join('; ')}`);
  const client = oauthClient(config, clientSecrets(env)!);
  client.setCredentials({ refresh_token: readToken(tokenFilePath(config, env))!.refresh_token });
  return client;
}
