import { isFromEncryptedSource } from '../../secrets/marker.js';
import { isSecret } from '../../secrets/mask.js';
import type { BuiltinRule } from '../types.js';

function keysOf(v: unknown): string[] {
  return v && typeof v === 'object' ? Object.keys(v) : [];
}

export const secretPlaintext: BuiltinRule = {
  name: 'secret-plaintext',
  description: 'A Secret with data must come from a SOPS-encrypted file, never from plaintext in Git.',
  defaultSeverity: 'error',
  check(r, { encryptedFiles }) {
    if (!isSecret(r.object)) return [];
    const keys = [...keysOf(r.object['data']), ...keysOf(r.object['stringData'])];
    if (keys.length === 0 || isFromEncryptedSource(r, encryptedFiles)) return [];
    // Names the keys only: the values are exactly what must not be printed.
    return [
      {
        message: `holds ${keys.length} plaintext value${keys.length > 1 ? 's' : ''} (${keys.join(', ')}) committed without encryption`,
        hint: 'Encrypt the file with `sluice secrets encrypt <file>` (or `sops -e -i`), then rotate these values: they are in Git history.',
        field: keysOf(r.object['data']).length ? 'data' : 'stringData',
      },
    ];
  },
};
