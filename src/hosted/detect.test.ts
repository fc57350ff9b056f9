import { describe, expect, it } from 'vitest';
import { detectHosting } from './detect.js';

describe('detectHosting', () => {
  it('recognises GitHub in every remote form', () => {
    const expected = {
      kind: 'github',
      host: 'github.com',
      apiUrl: 'https://api.github.com',
      owner: 'acme',
      repo: 'shop-config',
    };
    for (const url of [
      'https://github.com/acme/shop-config.git',
      'https://github.com/acme/shop-config',
      'https://x-access-token@github.com/acme/shop-config/',
      'git@github.com:acme/shop-config.git',
      'ssh://git@github.com/acme/shop-config.git',
      'ssh://git@github.com:22/acme/shop-config',
      'git://github.com/acme/shop-config.git',
      '  HTTPS://GitHub.com/acme/shop-config.git ',
    ]) {
      expect(detectHosting(url), url).toEqual(expected);
    }
  });

  it('keeps GitLab groups and subgroups in the project path', () => {
    expect(detectHosting('git@gitlab.com:acme/platform/shop-config.git')).toEqual({
      kind: 'gitlab',
      host: 'gitlab.com',
      apiUrl: 'https://gitlab.com/api/v4',
      project: 'acme/platform/shop-config',
    });
    expect(detectHosting('https://gitlab.com/acme/shop-config')).toMatchObject({ project: 'acme/shop-config' });
  });

  it('uses configured self-hosted bases, with or without a path prefix', () => {
    const bases = [
      { kind: 'gitlab' as const, url: 'https://example.com/gitlab' },
      { kind: 'github' as const, url: 'https://ghe.example.org', apiUrl: 'https://ghe.example.org/api/v3/' },
    ];
    expect(detectHosting('https://example.com/gitlab/ops/config.git', bases)).toEqual({
      kind: 'gitlab',
      host: 'example.com',
      apiUrl: 'https://example.com/gitlab/api/v4',
      project: 'ops/config',
    });
    expect(detectHosting('ssh://git@example.com:2222/ops/config.git', bases)).toMatchObject({
      kind: 'gitlab',
      project: 'ops/config',
    });
    expect(detectHosting('git@ghe.example.org:ops/config.git', bases)).toEqual({
      kind: 'github',
      host: 'ghe.example.org',
      apiUrl: 'https://ghe.example.org/api/v3/',
      owner: 'ops',
      repo: 'config',
    });
    expect(detectHosting('https://git.example.com/gitlab-not-configured/x.git', bases)).toBeUndefined();
  });

  it('says nothing about what it does not know', () => {
    for (const url of [
      '/srv/git/config',
      'file:///srv/git/config',
      'https://bitbucket.org/acme/config.git',
      'https://github.com/acme',
      'https://github.com/acme/config/tree/main',
      'not a url',
      '',
    ]) {
      expect(detectHosting(url), url).toBeUndefined();
    }
  });
});
