import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterEach, describe, expect, it } from 'vitest';
import { readMaybeEncrypted } from './host-file.js';
import { SecretRegistry } from './mask.js';
import { encryptSopsFile } from './sops/file.js';

const PEM =
  '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+not+a+real+key+only+bytes+to+compare+AA\n-----END PRIVATE KEY-----\n';

describe('readMaybeEncrypted', () => {
  let dir: string;
  const saved = process.env['SOPS_AGE_KEY'];
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env['SOPS_AGE_KEY'];
    else process.env['SOPS_AGE_KEY'] = saved;
  });

  it('returns a plain file as it is', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-host-file-'));
    writeFileSync(join(dir, 'ca.pem'), PEM);
    expect(Buffer.from(await readMaybeEncrypted(join(dir, 'ca.pem'))).toString()).toBe(PEM);
  });

  it('decrypts a SOPS-encrypted key in memory and teaches its value to the masker', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-host-file-'));
    const identity = await generateIdentity();
    const file = join(dir, 'key.pem');
    writeFileSync(file, await encryptSopsFile(PEM, file, { recipients: [await identityToRecipient(identity)] }));
    process.env['SOPS_AGE_KEY'] = identity;
    const registry = new SecretRegistry();
    expect(Buffer.from(await readMaybeEncrypted(file, registry)).toString()).toBe(PEM);
    expect(registry.mask(`key: ${PEM}`)).not.toContain('not+a+real+key');
  });
});
