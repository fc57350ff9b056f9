import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../store/sqlite/index.js';
import type { TokenRecord } from '../../store/access-types.js';
import type { Identity } from './identity.js';
import { Access } from './roles.js';
import { hashToken, Tokens } from './tokens.js';

const alice: Identity = {
  subject: 'oidc:123',
  name: 'alice',
  email: 'Alice@Example.com',
  groups: ['release'],
  via: 'oidc',
};
const token = (o: Partial<TokenRecord>): TokenRecord => ({
  id: 1,
  name: 'ci-app',
  subject: 'token:ci-app',
  displayName: 'ci-app',
  role: 'deployer',
  environments: ['dev'],
  createdAt: '2026-01-01T00:00:00Z',
  ...o,
});

describe('roles per environment', () => {
  it('a token holds its own role on its own environments only', () => {
    const a = Access.of({ subject: 'token:ci-app', name: 'ci-app', groups: [], via: 'token' }, token({}), undefined);
    expect([a.can('sync', 'dev'), a.can('deploy', 'dev'), a.can('read', 'dev')]).toEqual([true, true, true]);
    expect([a.can('sync', 'prod'), a.can('approve', 'dev'), a.can('admin'), a.can('audit')]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(a.environments('deploy', ['dev', 'staging', 'prod'])).toEqual(['dev']);
  });

  it('sluice.yaml grants by group, email (any case), subject, name and token name', () => {
    const auth = {
      roles: [
        { role: 'approver' as const, environments: ['prod'], groups: ['release'] },
        { role: 'viewer' as const, environments: ['*'], emails: ['alice@example.com'] },
        { role: 'deployer' as const, environments: ['staging'], subjects: ['alice'] },
        { role: 'admin' as const, environments: ['*'], tokens: ['ops'] },
      ],
    };
    const a = Access.of(alice, undefined, auth);
    expect(a.can('approve', 'prod')).toBe(true);
    expect(a.can('approve', 'staging')).toBe(false);
    expect(a.can('read', 'qa')).toBe(true);
    expect(a.can('deploy', 'staging')).toBe(true);
    expect(a.can('deploy', 'prod')).toBe(false);
    expect(a.can('audit')).toBe(true);
    expect(a.can('admin')).toBe(false);
    const ops = Access.of(
      { subject: 'token:ops', name: 'ops', groups: [], via: 'token' },
      token({ name: 'ops', role: 'viewer', environments: ['dev'] }),
      auth,
    );
    expect(ops.can('admin')).toBe(true);
    // Nobody else gets a grant made for others.
    const bob = Access.of({ subject: 'oidc:9', name: 'bob', groups: ['dev'], via: 'oidc' }, undefined, auth);
    expect(bob.can('read', 'dev')).toBe(false);
  });

  it('admin on one environment is not admin of the server', () => {
    const a = Access.of(alice, undefined, { roles: [{ role: 'admin', environments: ['dev'], subjects: ['alice'] }] });
    expect(a.can('deploy', 'dev')).toBe(true);
    expect(a.can('admin')).toBe(false);
  });
});

describe('tokens', () => {
  const store = new SqliteStore(':memory:');
  afterAll(() => store.close());

  it('stores only the hash, and an expired or revoked token stops verifying', async () => {
    let now = new Date('2026-05-01T00:00:00Z');
    const tokens = new Tokens(store.access, () => now);
    const { token: secret, record } = await tokens.create({
      name: 'short',
      role: 'viewer',
      environments: ['*'],
      expires: '1h',
    });
    expect(record.expiresAt).toBe('2026-05-01T01:00:00.000Z');
    expect(JSON.stringify(await tokens.list())).not.toContain(secret);
    expect(await store.access.findTokenByHash(hashToken(secret))).toMatchObject({ name: 'short' });
    expect(await tokens.verify(secret)).toMatchObject({ name: 'short' });
    now = new Date('2026-05-01T01:00:01Z');
    expect(await tokens.verify(secret)).toBeUndefined();
    const other = await tokens.create({ name: 'other', role: 'viewer', environments: ['*'] });
    await tokens.revoke('other');
    expect(await tokens.verify(other.token)).toBeUndefined();
    await expect(tokens.create({ name: 'other', role: 'viewer', environments: ['*'] })).rejects.toMatchObject({
      code: 'TOKEN_EXISTS',
    });
    await expect(
      tokens.create({ name: 'x', role: 'viewer', environments: ['*'], expires: 'yesterday' }),
    ).rejects.toMatchObject({ code: 'TOKEN_BAD_EXPIRY' });
  });
});
