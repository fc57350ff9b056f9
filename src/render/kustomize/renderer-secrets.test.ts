import { generateIdentity, identityToRecipient } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../policy/index.js';
import { encryptSopsFile, isFromEncryptedSource, openDecryptingFs } from '../../secrets/index.js';
import { MemoryFs } from '../../vfs/index.js';
import { kustomizeRenderer } from './renderer.js';
import type { Environment } from '../../config/index.js';

const env = {
  name: 'dev',
  target: 't',
  sync: 'auto',
  selfHeal: false,
  prune: true,
  protected: false,
  healthTimeoutMs: 1000,
} as Environment;

describe('kustomize renderer and SOPS files', () => {
  it('marks a Secret generated from an encrypted file, and only that one', async () => {
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    const files = {
      'app/kustomization.yaml': [
        'secretGenerator:',
        '- name: from-sops',
        '  envs: [secret.env]',
        '- name: from-plain',
        '  literals: [TOKEN=plain-text-value]',
      ].join('\n'),
      'app/secret.env': await encryptSopsFile('TOKEN=s3cr3t-value\n', 'app/secret.env', { recipients: [recipient] }),
    };
    const fs = await openDecryptingFs(MemoryFs.fromFiles(files), {
      identities: { identities: [identity], searched: [] },
    });
    const out = kustomizeRenderer.render({ fs, dir: 'app' });
    const byName = new Map(out.map((r) => [r.object.metadata.name.replace(/-[a-z0-9]{10}$/, ''), r]));
    const sops = byName.get('from-sops')!;
    expect(Buffer.from((sops.object as unknown as { data: { TOKEN: string } }).data.TOKEN, 'base64').toString()).toBe(
      's3cr3t-value',
    );
    expect(isFromEncryptedSource(sops, fs.encryptedPaths)).toBe(true);
    expect(isFromEncryptedSource(byName.get('from-plain')!, fs.encryptedPaths)).toBe(false);
    const report = evaluatePolicy(out, env, undefined, { encryptedFiles: fs.encryptedPaths });
    expect(report.violations.filter((v) => v.rule === 'secret-plaintext').map((v) => v.resource)).toEqual([
      expect.stringContaining('from-plain'),
    ]);
  });
});
