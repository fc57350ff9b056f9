import { describe, expect, it } from 'vitest';
import { commitLink } from './links.js';

const sha = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';

describe('commitLink', () => {
  it('links a commit on GitHub and GitLab, whatever form the remote takes', () => {
    expect(commitLink('git@github.com:acme/shop-config.git', sha)).toBe(
      `https://github.com/acme/shop-config/commit/${sha}`,
    );
    expect(commitLink('https://gitlab.com/acme/platform/shop-config.git', sha)).toBe(
      `https://gitlab.com/acme/platform/shop-config/-/commit/${sha}`,
    );
  });

  it('links a self-hosted forge under its base URL', () => {
    const bases = [{ kind: 'gitlab' as const, url: 'https://example.com/gitlab' }];
    expect(commitLink('https://example.com/gitlab/acme/shop.git', sha, bases)).toBe(
      `https://example.com/gitlab/acme/shop/-/commit/${sha}`,
    );
  });

  it('gives nothing for a remote on an unknown host or a local path', () => {
    expect(commitLink('https://git.internal/acme/shop.git', sha)).toBeUndefined();
    expect(commitLink('/srv/git/shop', sha)).toBeUndefined();
  });
});
