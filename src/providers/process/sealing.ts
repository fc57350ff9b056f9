import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SecretMasker } from '../types.js';

/** A fingerprint as the secret masker writes it (the format is the masker's; see ProviderContext). */
const FINGERPRINT = /‹secret:sha256:[0-9a-f]{8}›/;

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
    private readonly secrets?: SecretMasker,
  ) {}

  /** Replaces decrypted secret values in a text (a command, an argument) with fingerprints. */
  maskText(text: string): string {
    return this.secrets ? this.secrets.mask(text) : text;
  }

  /**
   * Learns the secret values of a spec recorded by an earlier Sluice: where the recorded
   * (masked) string shows a fingerprint, the unsealed string holds the value, and the value is
   * learnt if it has that very fingerprint. A replica adopted after a restart is then masked
   * (and hashed) exactly as it was when it was started, even before its revision is decrypted
   * again or after its secret was rotated.
   */
  learnFrom(unsealed: unknown, recorded: unknown): void {
    const secrets = this.secrets;
    if (!secrets?.add || !secrets.fingerprint) return;
    if (typeof unsealed === 'string' && typeof recorded === 'string') {
      const parts = recorded.split(FINGERPRINT);
      if (parts.length < 2) return;
      const literal = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const m = new RegExp(`^${parts.map(literal).join('([\\s\\S]+?)')}$`).exec(unsealed);
      const prints = recorded.match(new RegExp(FINGERPRINT.source, 'g')) ?? [];
      m?.slice(1).forEach((value, i) => {
        if (secrets.fingerprint!(value) === prints[i]) secrets.add!(value);
      });
      return;
    }
    if (Array.isArray(unsealed) && Array.isArray(recorded)) unsealed.forEach((u, i) => this.learnFrom(u, recorded[i]));
    else if (unsealed && recorded && typeof unsealed === 'object' && typeof recorded === 'object')
      for (const [k, u] of Object.entries(unsealed)) this.learnFrom(u, (recorded as Record<string, unknown>)[k]);
  }

  static load(keyFile: string, secrets?: SecretMasker): Sealer {
    try {
      const key = readFileSync(keyFile);
      if (key.length === 32) return new Sealer(key, secrets);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    mkdirSync(dirname(keyFile), { recursive: true });
    const key = randomBytes(32);
    // `wx` so two providers racing on a fresh data dir agree on one key.
    try {
      writeFileSync(keyFile, key, { mode: 0o600, flag: 'wx' });
      return new Sealer(key, secrets);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      return new Sealer(readFileSync(keyFile), secrets);
    }
  }

  /** A fixed key, for tests and pure callers. */
  static fromKey(key: Buffer, secrets?: SecretMasker): Sealer {
    return new Sealer(key, secrets);
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
