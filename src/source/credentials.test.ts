import { describe, expect, it } from 'vitest';
import { createScrubber, httpCredentials, redactUrl } from './credentials.js';
import { gitEnv } from './git.js';

describe('credentials', () => {
  it('hands an https token to git only through GIT_CONFIG_* environment entries', () => {
    const c = httpCredentials('https://git.example.com:8443/org/repo.git', { env: { SLUICE_GIT_TOKEN: 'tok-123456' } });
    expect(c.env).toEqual({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.https://git.example.com:8443/.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from('x-access-token:tok-123456').toString('base64')}`,
    });
    expect(c.secrets).toContain('tok-123456');
  });

  it('uses no token for ssh or file remotes, or when none is set', () => {
    const env = { SLUICE_GIT_TOKEN: 'tok-123456' };
    expect(httpCredentials('ssh://git@example.com/r.git', { env }).env).toEqual({});
    expect(httpCredentials('file:///tmp/r', { env }).env).toEqual({});
    expect(httpCredentials('https://example.com/r.git', { env: {} }).env).toEqual({});
  });

  it('scrubs tokens, their encoded form and URL credentials from text', () => {
    const c = httpCredentials('https://example.com/r.git', { env: { MY_TOKEN: 'sekrit-token' }, tokenEnv: 'MY_TOKEN' });
    const scrub = createScrubber(c.secrets);
    const text = `fatal: sekrit-token ${c.secrets[1]} https://user:pw@example.com/r.git`;
    expect(scrub(text)).toBe('fatal: *** *** https://example.com/r.git');
    expect(redactUrl('see ssh://git@host/x')).toBe('see ssh://host/x');
  });

  it('keeps the token variable and repository overrides out of git’s environment', () => {
    const saved = { ...process.env };
    process.env.SLUICE_GIT_TOKEN = 'tok';
    process.env.GIT_DIR = '/elsewhere';
    process.env.GIT_CONFIG_COUNT = '3';
    try {
      const env = gitEnv({ tokenEnv: 'SLUICE_GIT_TOKEN' });
      expect(env.SLUICE_GIT_TOKEN).toBeUndefined();
      expect(env.GIT_DIR).toBeUndefined();
      expect(env.GIT_CONFIG_COUNT).toBeUndefined();
      expect(env).toMatchObject({ GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' });
    } finally {
      process.env = saved;
    }
  });
});
