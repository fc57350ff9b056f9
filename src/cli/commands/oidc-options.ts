import { Option, type Command } from 'commander';
import { CLIENT_SECRET_ENV, oidcSettings, type OidcSettings } from '../../server/auth/oidc-settings.js';

/**
 * The single sign-on options of `sluice serve`. The client secret is never a flag value (it
 * would show in the process list): it comes from a file or from SLUICE_OIDC_CLIENT_SECRET.
 */
export function addOidcOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--oidc-issuer <url>', 'OpenID Connect provider for dashboard sign-in').env('SLUICE_OIDC_ISSUER'),
    )
    .addOption(new Option('--oidc-client-id <id>', 'client ID registered at the provider').env('SLUICE_OIDC_CLIENT_ID'))
    .addOption(
      new Option(
        '--oidc-client-secret-file <path>',
        `file holding the client secret (or set ${CLIENT_SECRET_ENV}; none for a public client)`,
      ).env('SLUICE_OIDC_CLIENT_SECRET_FILE'),
    )
    .addOption(
      new Option(
        '--oidc-redirect-url <url>',
        "this server's /auth/oidc/callback as browsers reach it, registered at the provider",
      ).env('SLUICE_OIDC_REDIRECT_URL'),
    )
    .addOption(
      new Option('--oidc-scopes <scopes>', 'scopes to request (default "openid profile email groups")').env(
        'SLUICE_OIDC_SCOPES',
      ),
    )
    .addOption(
      new Option('--oidc-groups-claim <claim>', 'ID token claim holding the groups (default groups)').env(
        'SLUICE_OIDC_GROUPS_CLAIM',
      ),
    );
}

export interface OidcOptionValues {
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcClientSecretFile?: string;
  oidcRedirectUrl?: string;
  oidcScopes?: string;
  oidcGroupsClaim?: string;
}

/** The validated settings, or undefined when single sign-on is not configured. */
export function oidcSettingsFromOptions(
  o: OidcOptionValues,
  env: NodeJS.ProcessEnv = process.env,
): OidcSettings | undefined {
  return oidcSettings(
    {
      issuer: o.oidcIssuer,
      clientId: o.oidcClientId,
      clientSecretFile: o.oidcClientSecretFile,
      redirectUrl: o.oidcRedirectUrl,
      scopes: o.oidcScopes,
      groupsClaim: o.oidcGroupsClaim,
    },
    env,
  );
}
