import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { addOidcOptions, oidcSettingsFromOptions, type OidcOptionValues } from './oidc-options.js';

function parse(argv: string[]): OidcOptionValues {
  const cmd = addOidcOptions(new Command('serve').exitOverride());
  cmd.parse(argv, { from: 'user' });
  return cmd.opts<OidcOptionValues>();
}

describe('sluice serve single sign-on options', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('read flags, falling back to SLUICE_OIDC_* variables', () => {
    process.env.SLUICE_OIDC_CLIENT_ID = 'from-env';
    process.env.SLUICE_OIDC_REDIRECT_URL = 'https://sluice.example.com/auth/oidc/callback';
    const opts = parse(['--oidc-issuer', 'https://id.example.com', '--oidc-groups-claim', 'roles']);
    const s = oidcSettingsFromOptions(opts, { SLUICE_OIDC_CLIENT_SECRET: 'shh' })!;
    expect(s.issuer.href).toBe('https://id.example.com/');
    expect(s.clientId).toBe('from-env');
    expect(s.groupsClaim).toBe('roles');
    expect(s.clientSecret).toBe('shh');
  });

  it('leave single sign-on off when none is given', () => {
    for (const k of Object.keys(process.env)) if (k.startsWith('SLUICE_OIDC_')) delete process.env[k];
    expect(oidcSettingsFromOptions(parse([]), {})).toBeUndefined();
  });

  it('have no flag that takes the client secret itself', () => {
    expect(() => parse(['--oidc-client-secret', 'x'])).toThrow(/unknown option/);
  });
});
