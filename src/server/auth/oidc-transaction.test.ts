import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './oidc.js';
import { TRANSACTION_TTL_SECONDS, TransactionSealer } from './oidc-transaction.js';

const tx = { state: 'st', nonce: 'no', codeVerifier: 'pkce-verifier-a8f3b27c91d4e5f6', returnTo: '/apps/web' };

describe('login transaction cookie', () => {
  it('opens what it sealed, and nothing sealed under another secret', async () => {
    const a = new TransactionSealer('secret-a');
    const sealed = await a.seal(tx);
    // Encrypted, not only signed: neither the verifier nor the encoded payload shows. (A value
    // as short as two letters turns up in random ciphertext about once in twenty seals.)
    expect(sealed).not.toContain(tx.codeVerifier);
    expect(sealed).not.toContain(Buffer.from(JSON.stringify(tx)).toString('base64url').slice(0, 24));
    expect(await a.open(sealed)).toEqual({ ok: true, transaction: tx });
    expect(await new TransactionSealer('secret-a').open(sealed)).toEqual({ ok: true, transaction: tx });
    expect(await new TransactionSealer('secret-b').open(sealed)).toEqual({ ok: false, reason: 'invalid' });
    expect(await a.open(`${sealed.slice(0, -3)}AAA`)).toEqual({ ok: false, reason: 'invalid' });
    expect(await a.open('garbage')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('expires after its time to live', async () => {
    let now = 1_800_000_000_000;
    const sealer = new TransactionSealer('s', () => now);
    const sealed = await sealer.seal(tx);
    now += (TRANSACTION_TTL_SECONDS - 5) * 1000;
    expect((await sealer.open(sealed)).ok).toBe(true);
    now += 10_000;
    expect(await sealer.open(sealed)).toEqual({ ok: false, reason: 'expired' });
  });

  it('without a client secret uses a key of its own', async () => {
    const sealed = await new TransactionSealer(undefined).seal(tx);
    expect((await new TransactionSealer(undefined).open(sealed)).ok).toBe(false);
  });
});

describe('return path after signing in', () => {
  it('keeps same-site paths and drops anything that would leave the site', () => {
    expect(safeReturnTo('/apps/web?env=prod')).toBe('/apps/web?env=prod');
    for (const bad of [undefined, '', 'https://evil.example', '//evil.example', '/\\evil.example', 'apps', '/a\nb'])
      expect(safeReturnTo(bad)).toBe('/');
  });
});
