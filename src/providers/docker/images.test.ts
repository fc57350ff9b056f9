import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registryAuth } from './images.js';

describe('registry credentials from the Docker config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-docker-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      auths: {
        'registry.example.com': { auth: Buffer.from('deploy:pa:ss').toString('base64') },
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
      },
    }),
  );

  it('finds the entry of the image registry, password with colons intact', () => {
    expect(registryAuth('registry.example.com/shop/web:1', config)).toEqual({
      username: 'deploy',
      password: 'pa:ss',
      serveraddress: 'registry.example.com',
    });
  });

  it('takes Docker Hub for images without a registry host', () => {
    expect(registryAuth('shop/web:1', config)?.username).toBe('hubuser');
    expect(registryAuth('busybox', config)?.username).toBe('hubuser');
  });

  it('has none for other registries or without a config', () => {
    expect(registryAuth('127.0.0.1:5000/web:1', config)).toBeUndefined();
    expect(registryAuth('registry.example.com/web', join(dir, 'missing.json'))).toBeUndefined();
  });
});
