import { readFileSync } from 'node:fs';
import { ValidationError } from '../../errors/index.js';

/**
 * How the server signs people in through an OpenID Connect provider. This is server-side
 * configuration (`sluice serve` flags and environment), not sluice.yaml: the issuer is the
 * root of trust for every dashboard identity and its groups, so whoever may push to the config
 * repo must not be able to point Sluice at a provider of their own.
 */
export interface OidcSettings {
  issuer: URL;
  clientId: string;
  /** Absent for a public client (PKCE alone). Read from a file or the environment, never a flag. */
  clientSecret?: string;
  /** Where the provider sends the browser back: this server's /auth/oidc/callback as users reach it. */
  redirectUrl: URL;
  scopes: string[];
  /** ID token claim holding the user's groups (a list of strings, or one string). */
  groupsClaim: string;
}

/** The raw values as `sluice serve` receives them (flags or their environment variables). */
export interface OidcSettingsInput {
  issuer?: string | undefined;
  clientId?: string | undefined;
  clientSecretFile?: string | undefined;
  redirectUrl?: string | undefined;
  scopes?: string | undefined;
  groupsClaim?: string | undefined;
}

export const CALLBACK_PATH = '/auth/oidc/callback';
export const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'groups'];
/** Holds the client secret when no --oidc-client-secret-file is given. */
export const CLIENT_SECRET_ENV = 'SLUICE_OIDC_CLIENT_SECRET';

/**
 * Validates the single sign-on settings. Returns undefined when none is given (single sign-on
 * off); throws a ValidationError naming the flag when some are given but they do not add up.
 */
export function oidcSettings(input: OidcSettingsInput, env: NodeJS.ProcessEnv = process.env): OidcSettings | undefined {
  const given = Object.values(input).some((v) => v !== undefined && v !== '');
  if (!given) return undefined;
  const issuer = url('--oidc-issuer', input.issuer, 'the provider URL whose /.well-known/openid-configuration answers');
  if (issuer.protocol !== 'https:' && !isLoopback(issuer))
    throw invalid(
      '--oidc-issuer',
      `must be an https:// URL, not ${issuer.href}`,
      'plain http is accepted on loopback only',
    );
  if (!input.clientId)
    throw invalid('--oidc-client-id', 'is required with --oidc-issuer', 'the client ID registered at the provider');
  const redirectUrl = url(
    '--oidc-redirect-url',
    input.redirectUrl,
    `this server's URL as browsers reach it, ending in ${CALLBACK_PATH}`,
  );
  if (!redirectUrl.pathname.endsWith(CALLBACK_PATH) || redirectUrl.search || redirectUrl.hash)
    throw invalid(
      '--oidc-redirect-url',
      `must end in ${CALLBACK_PATH} with no query, not ${redirectUrl.href}`,
      'register the same URL as a redirect URI at the provider',
    );
  const scopes = input.scopes ? input.scopes.split(/[\s,]+/).filter(Boolean) : DEFAULT_SCOPES;
  if (!scopes.includes('openid'))
    throw invalid(
      '--oidc-scopes',
      `must include "openid", got "${scopes.join(' ')}"`,
      'for example "openid profile email groups"',
    );
  const groupsClaim = input.groupsClaim ?? 'groups';
  if (!/^[\w:./-]+$/.test(groupsClaim))
    throw invalid('--oidc-groups-claim', `is not a claim name: "${groupsClaim}"`, 'for example groups or roles');
  const clientSecret = readSecret(input.clientSecretFile, env);
  return {
    issuer,
    clientId: input.clientId,
    ...(clientSecret ? { clientSecret } : {}),
    redirectUrl,
    scopes,
    groupsClaim,
  };
}

function readSecret(file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ValidationError('INVALID_FLAG', `--oidc-client-secret-file: cannot read ${file}`, {
        file,
        hint: 'give a readable file holding only the client secret',
        cause: e,
      });
    }
    const secret = text.trim();
    if (!secret)
      throw new ValidationError('INVALID_FLAG', `--oidc-client-secret-file: ${file} is empty`, {
        file,
        hint: 'the file holds the client secret the provider issued',
      });
    return secret;
  }
  const fromEnv = env[CLIENT_SECRET_ENV]?.trim();
  return fromEnv || undefined;
}

function url(flag: string, value: string | undefined, what: string): URL {
  if (!value) throw invalid(flag, 'is required for single sign-on', `give ${what}`);
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw invalid(flag, `is not a URL: "${value}"`, `give ${what}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw invalid(flag, `must be an http(s) URL, not "${value}"`, `give ${what}`);
  return u;
}

function invalid(flag: string, message: string, hint: string): ValidationError {
  return new ValidationError('INVALID_FLAG', `${flag} ${message}`, { field: flag, hint });
}

/** Plain http is tolerated only where nothing but this machine can listen in. */
export function isLoopback(u: URL): boolean {
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
