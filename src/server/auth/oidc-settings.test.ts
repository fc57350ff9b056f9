import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { oidcSettings } from './oidc-settings.js';

const base = {
  issuer: 'https://id.example.com/realms/ops',
  clientId: 'sluice',
  redirectUrl: 'https://sluice.example.com/auth/oidc/callback',
};

function refused(input: Parameters<typeof oidcSettings>[0], env: NodeJS.ProcessEnv = {}): ValidationError {
  try {
    oidcSettings(input, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('accepted');
}

describe('single sign-on settings', () => {
  it('are off when no flag is given', () => {
    expect(oidcSettings({}, { SLUICE_OIDC_CLIENT_SECRET: 's' })).toBeUndefined();
  });

  it('take defaults for scopes and the groups claim, and the secret from the environment', () => {
    const s = oidcSettings(base, { SLUICE_OIDC_CLIENT_SECRET: ' shh \n' })!;
    expect(s.issuer.href).toBe('https://id.example.com/realms/ops');
    expect(s.scopes).toEqual(['openid', 'profile', 'email', 'groups']);
    expect(s.groupsClaim).toBe('groups');
    expect(s.clientSecret).toBe('shh');
  });

  it('read the secret from a file before the environment, and allow a public client', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sluice-oidc-')), 'secret');
    writeFileSync(file, 'from-file\n');
    expect(oidcSettings({ ...base, clientSecretFile: file }, { SLUICE_OIDC_CLIENT_SECRET: 'env' })!.clientSecret).toBe(
      'from-file',
    );
    expect(oidcSettings(base, {})!.clientSecret).toBeUndefined();
    expect(refused({ ...base, clientSecretFile: join(file, 'nope') }).message).toContain('cannot read');
  });

  it('name the flag that is missing or wrong', () => {
    expect(refused({ clientId: 'x' }).location.field).toBe('--oidc-issuer');
    expect(refused({ ...base, clientId: undefined }).location.field).toBe('--oidc-client-id');
    expect(refused({ ...base, redirectUrl: undefined }).location.field).toBe('--oidc-redirect-url');
    expect(refused({ ...base, redirectUrl: 'https://sluice.example.com/login' }).message).toContain(
      'must end in /auth/oidc/callback',
    );
    expect(refused({ ...base, scopes: 'profile email' }).location.field).toBe('--oidc-scopes');
    expect(refused({ ...base, groupsClaim: 'a b' }).location.field).toBe('--oidc-groups-claim');
    expect(refused({ ...base, issuer: 'not a url' }).message).toContain('is not a URL');
  });

  it('accept plain http for a loopback issuer only', () => {
    expect(oidcSettings({ ...base, issuer: 'http://127.0.0.1:5556/dex' }, {})!.issuer.port).toBe('5556');
    expect(oidcSettings({ ...base, issuer: 'http://[::1]:5556/dex' }, {})).toBeDefined();
    expect(refused({ ...base, issuer: 'http://id.example.com' }).message).toContain('must be an https:// URL');
  });

  it('split scopes on spaces or commas', () => {
    expect(oidcSettings({ ...base, scopes: 'openid,email  roles' }, {})!.scopes).toEqual(['openid', 'email', 'roles']);
  });
});
