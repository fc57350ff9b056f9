import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * What every output shows in place of a secret value: `‹secret:sha256:ab12cd34›`, the first
 * 32 bits of HMAC-SHA256 of the value under a key that never leaves the machine. Two outputs
 * showing the same fingerprint hold the same value, so a diff still says "changed"; without
 * the key nobody can test guesses against it offline. The guillemets cannot come from YAML,
 * JSON or URL escaping of anything, so a fingerprint is never mistaken for data.
 */
export const FINGERPRINT_PATTERN = /‹secret:sha256:[0-9a-f]{8}›/;

export function fingerprint(value: string, key: Uint8Array): string {
  return `‹secret:sha256:${createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, 8)}›`;
}

/**
 * The fingerprint key kept in a file (created owner-only on first use), so fingerprints in the
 * store, in state files and in plans compare across restarts of Sluice.
 */
export function loadFingerprintKey(file: string): Buffer {
  try {
    const key = readFileSync(file);
    if (key.length === 32) return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  // `wx` so two processes racing on a fresh data dir agree on one key.
  try {
    writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return readFileSync(file);
  }
}
