/**
 * HTTPS credentials for a remote. The token comes from an environment variable and reaches
 * git only through GIT_CONFIG_* environment entries (an `http.<origin>/.extraHeader`), so it
 * never appears in an argument vector, a config file or the cache on disk.
 */
export const DEFAULT_TOKEN_ENV = 'SLUICE_GIT_TOKEN';
export const DEFAULT_TOKEN_USER = 'x-access-token';

export interface Credentials {
  /** Extra environment for git; empty when no token applies. */
  env: Record<string, string>;
  /** Every form of the secret that could leak into git's output, for scrubbing. */
  secrets: string[];
}

export interface CredentialOptions {
  tokenEnv?: string;
  username?: string;
  env?: NodeJS.ProcessEnv;
}

export function httpCredentials(url: string, options: CredentialOptions = {}): Credentials {
  const env = options.env ?? process.env;
  const token = env[options.tokenEnv ?? DEFAULT_TOKEN_ENV];
  const parsed = parseHttpUrl(url);
  if (!token || !parsed) return { env: {}, secrets: [] };
  const basic = Buffer.from(`${options.username ?? DEFAULT_TOKEN_USER}:${token}`).toString('base64');
  // Scoped to the remote's origin so a redirect to another host never receives the header.
  const origin = `${parsed.protocol}//${parsed.host}/`;
  return {
    env: {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: `http.${origin}.extraHeader`,
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    },
    secrets: [token, basic],
  };
}

function parseHttpUrl(url: string): URL | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/** Removes credentials embedded in URLs (`https://user:secret@host`) from any text. */
export function redactUrl(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
}

export type Scrubber = (text: string) => string;

/** A function that removes every known secret and any URL credentials from text before it is shown. */
export function createScrubber(secrets: readonly string[]): Scrubber {
  const known = secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of known) out = out.split(s).join('***');
    return redactUrl(out);
  };
}
