import { hkdfSync, randomBytes } from 'node:crypto';
import { EncryptJWT, errors as joseErrors, jwtDecrypt } from 'jose';

/**
 * What a sign-in must remember between sending the browser to the provider and its return:
 * the PKCE verifier, state and nonce. It travels in an encrypted, short-lived cookie rather than
 * server memory, so a callback reaching another Sluice server than the one that started the
 * sign-in still completes, and nothing piles up for sign-ins never finished.
 */
export interface LoginTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Same-site path to land on after signing in. */
  returnTo: string;
}

export const TRANSACTION_TTL_SECONDS = 600;

export type OpenResult = { ok: true; transaction: LoginTransaction } | { ok: false; reason: 'expired' | 'invalid' };

/** Seals and opens login transactions with one AES-256-GCM key. */
export class TransactionSealer {
  private readonly key: Uint8Array;

  /**
   * With a client secret the key is derived from it, so every server sharing the client
   * configuration can open the others' cookies; a public client gets a key of its own per process.
   */
  constructor(
    clientSecret: string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.key = clientSecret
      ? new Uint8Array(hkdfSync('sha256', clientSecret, 'sluice', 'oidc login transaction', 32))
      : new Uint8Array(randomBytes(32));
  }

  async seal(t: LoginTransaction): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return new EncryptJWT({ ...t })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + TRANSACTION_TTL_SECONDS)
      .encrypt(this.key);
  }

  async open(sealed: string): Promise<OpenResult> {
    try {
      const { payload } = await jwtDecrypt(sealed, this.key, { currentDate: new Date(this.now()) });
      const { state, nonce, codeVerifier, returnTo } = payload;
      if (typeof state !== 'string' || typeof nonce !== 'string' || typeof codeVerifier !== 'string')
        return { ok: false, reason: 'invalid' };
      return {
        ok: true,
        transaction: { state, nonce, codeVerifier, returnTo: typeof returnTo === 'string' ? returnTo : '/' },
      };
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired' };
      return { ok: false, reason: 'invalid' };
    }
  }
}
