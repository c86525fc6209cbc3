/** The Supabase credentials, which come from the environment only, and how a secret is shown. */

const ENV_FIX = 'set SUPABASE_URL (https://<project>.supabase.co) and SUPABASE_SERVICE_ROLE_KEY (Project Settings > API keys) in the environment';

/** The Supabase Storage credentials from the environment, or what is missing. */
export function supabaseEnv(env: NodeJS.ProcessEnv = process.env): { url: string; serviceRoleKey: string } | { missing: string; fix: string } {
  const missing = ['SUPABASE_URL', 'SUPABASE_SERVICE_ROLE_KEY'].filter((v) => !env[v]);
  if (missing.length) return { missing: `${missing.join(' and ')} not set`, fix: ENV_FIX };
  return { url: env.SUPABASE_URL!.replace(/\/+$/, ''), serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY! };
}

/** A secret shown as its first and last characters only. */
export function maskSecret(secret: string): string {
  return secret.length <= 12 ? '****' : `${secret.slice(0, 4)}…${secret.slice(-4)} (${secret.length} characters)`;
}
