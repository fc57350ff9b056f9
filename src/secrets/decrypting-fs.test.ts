import { describe, expect, it } from 'vitest';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { MemoryFs } from '../vfs/index.js';
import { openDecryptingFs } from './decrypting-fs.js';
import { SecretRegistry } from './mask.js';
import { encryptSopsFile } from './sops/file.js';

const identity = await generateIdentity();
const recipient = await identityToRecipient(identity);

describe('DecryptingFs', () => {
  it('serves plaintext for SOPS files only and records them', async () => {
    const enc = await encryptSopsFile('API_KEY=abcd-canary-9\n', 'apps/a/base/secrets.env', {
      recipients: [recipient],
    });
    const fs = MemoryFs.fromFiles({
      'apps/a/base/secrets.env': enc,
      'apps/a/base/cm.yaml': 'kind: ConfigMap\n',
      'apps/a/base/link.env': 'x',
    });
    fs.addSymlink('apps/a/base/alias.env', 'secrets.env');
    const registry = new SecretRegistry();
    const dfs = await openDecryptingFs(fs, { identities: { identities: [identity], searched: [] }, registry });
    expect(Buffer.from(dfs.readFile('apps/a/base/secrets.env')).toString()).toBe('API_KEY=abcd-canary-9\n');
    expect(Buffer.from(dfs.readFile('apps/a/base/alias.env')).toString()).toBe('API_KEY=abcd-canary-9\n');
    expect(Buffer.from(dfs.readFile('apps/a/base/cm.yaml')).toString()).toBe('kind: ConfigMap\n');
    expect([...dfs.encryptedPaths]).toEqual(['apps/a/base/secrets.env']);
    expect(dfs.isEncrypted('apps/a/base/alias.env')).toBe(true);
    expect(registry.mask('abcd-canary-9')).not.toContain('canary');
  });

  it('fails before rendering when a key is missing, and needs none without SOPS files', async () => {
    const enc = await encryptSopsFile('a: secret-value\n', 's.yaml', { recipients: [recipient] });
    await expect(
      openDecryptingFs(MemoryFs.fromFiles({ 's.yaml': enc }), { identities: { identities: [], searched: ['none'] } }),
    ).rejects.toMatchObject({
      code: 'SOPS_NO_KEY',
    });
    const plain = await openDecryptingFs(MemoryFs.fromFiles({ 'a.yaml': 'a: 1\n' }), {
      identities: () => {
        throw new Error('not needed');
      },
    });
    expect(plain.encryptedPaths.size).toBe(0);
  });
});
