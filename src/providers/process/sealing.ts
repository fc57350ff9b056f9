import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Env values may be decrypted secrets, and secrets never reach disk in plaintext. State files
 * therefore keep env values in two forms: a keyed fingerprint (to tell "changed" from "same"
 * in plans without revealing the value) and a sealed copy (so a replica can be restarted
 * after Sluice itself restarted). Both use one random key kept next to the state, readable
 * only by the owner.
 */
export class Sealer {
  private constructor(
    private readonly key: Buffer,
    /** Replaces decrypted secret values in a text (a command, an argument) with fingerprints. */
    readonly maskText: (text: string) => string = (t) => t,
  ) {}

  static load(keyFile: string, maskText?: (text: string) => string): Sealer {
    try {
      const key = readFileSync(keyFile);
      if (key.length === 32) return new Sealer(key, maskText);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    mkdirSync(dirname(keyFile), { recursive: true });
    const key = randomBytes(32);
    // `wx` so two providers racing on a fresh data dir agree on one key.
    try {
      writeFileSync(keyFile, key, { mode: 0o600, flag: 'wx' });
      return new Sealer(key, maskText);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      return new Sealer(readFileSync(keyFile), maskText);
    }
  }

  /** A fixed key, for tests and pure callers. */
  static fromKey(key: Buffer, maskText?: (text: string) => string): Sealer {
    return new Sealer(key, maskText);
  }

  fingerprint(value: string): string {
    return `hmac:${createHmac('sha256', this.key).update(value).digest('hex').slice(0, 16)}`;
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  unseal<T>(sealed: string): T {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as T;
  }
}
