import { describe, expect, it } from 'vitest';
import type { RepositorySpec } from '../config/index.js';
import { resolveHosting } from './hosting.js';

const spec = (r: Partial<RepositorySpec> & Pick<RepositorySpec, 'hosting'>): { repository: RepositorySpec } => ({
  repository: { branchPrefix: 'sluice/', pollInterval: '30s', ...r },
});

describe('resolveHosting', () => {
  it('uses a github.com or gitlab.com remote only when its token is set', () => {
    expect(resolveHosting({}, { remoteUrl: 'https://github.com/acme/config.git', env: {} })).toBeUndefined();
    const gh = resolveHosting({}, { remoteUrl: 'git@github.com:acme/config.git', env: { SLUICE_GITHUB_TOKEN: 't' } });
    expect(gh?.repo).toMatchObject({ kind: 'github', name: 'acme/config' });
    const gl = resolveHosting(
      {},
      { remoteUrl: 'https://gitlab.com/acme/platform/config.git', env: { SLUICE_GITLAB_TOKEN: 't' } },
    );
    expect(gl?.repo).toMatchObject({ kind: 'gitlab', name: 'acme/platform/config' });
    expect(gl?.pollIntervalMs).toBe(30_000);
    expect(
      resolveHosting({}, { remoteUrl: 'file:///srv/config.git', env: { SLUICE_GITHUB_TOKEN: 't' } }),
    ).toBeUndefined();
  });

  it('follows spec.repository: none, explicit repositories, token variables and self-hosted API URLs', () => {
    expect(
      resolveHosting(spec({ hosting: 'none' }), {
        remoteUrl: 'https://github.com/acme/config',
        env: { SLUICE_GITHUB_TOKEN: 't' },
      }),
    ).toBeUndefined();
    const gl = resolveHosting(
      spec({
        hosting: 'gitlab',
        project: 'acme/config',
        tokenFrom: { env: 'GL' },
        pollInterval: '5s',
        branchPrefix: 'promo/',
      }),
      { env: { GL: 't' } },
    );
    expect(gl).toMatchObject({
      branchPrefix: 'promo/',
      pollIntervalMs: 5_000,
      repo: { kind: 'gitlab', name: 'acme/config' },
    });
    const ghe = resolveHosting(spec({ hosting: 'github', apiUrl: 'https://git.example.com/api/v3' }), {
      remoteUrl: 'https://git.example.com/acme/config.git',
      env: { SLUICE_GITHUB_TOKEN: 't' },
    });
    expect(ghe?.repo.name).toBe('acme/config');
  });

  it('says what is missing when sluice.yaml asks for hosting', () => {
    expect(() => resolveHosting(spec({ hosting: 'github', owner: 'acme', repo: 'config' }), { env: {} })).toThrow(
      expect.objectContaining({ code: 'PROMOTE_HOSTING_TOKEN' }),
    );
    expect(() =>
      resolveHosting(spec({ hosting: 'github' }), {
        remoteUrl: 'file:///srv/config.git',
        env: { SLUICE_GITHUB_TOKEN: 't' },
      }),
    ).toThrow(expect.objectContaining({ code: 'PROMOTE_HOSTING_INVALID' }));
  });

  it('never puts the token in what identifies the configuration', () => {
    const t = resolveHosting(spec({ hosting: 'gitlab', project: 'acme/config' }), {
      env: { SLUICE_GITLAB_TOKEN: 'glpat-secret' },
    });
    expect(t?.key).not.toContain('glpat-secret');
  });
});
