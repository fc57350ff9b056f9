import { readFile } from 'node:fs/promises';
import type { SecretRegistry } from './mask.js';
import { loadAgeIdentities } from './sops/age-keys.js';
import { decryptSopsFile, isSopsFile } from './sops/file.js';

/**
 * A file on the host a target names (a TLS key, a CA): returned as it is, or decrypted in
 * memory when SOPS encrypted it, its decrypted values taught to the masker first.
 */
export async function readMaybeEncrypted(path: string, registry?: SecretRegistry): Promise<Uint8Array> {
  const bytes = await readFile(path);
  if (!isSopsFile(bytes, path)) return bytes;
  const plain = await decryptSopsFile(bytes, path, loadAgeIdentities());
  registry?.addAll(plain.values);
  return plain.plaintext;
}
