import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SecretMasker } from '../types.js';
import { Sealer } from './sealing.js';
import { redactSpec, specHash } from './spec-hash.js';
import type { ProcessSpec } from './spec.js';

const spec = {
  command: '/opt/tok-canary-1/bin',
  args: ['--token=tok-canary-2', 'plain'],
  env: { A: 'tok-canary-3' },
  replicas: 1,
} as unknown as ProcessSpec;
const mask = (t: string) => t.replace(/tok-canary-\d/g, 'FP');

describe('redactSpec', () => {
  it('masks decrypted values in the command and arguments before the spec is hashed or shown', () => {
    const key = Buffer.alloc(32, 1);
    const redacted = redactSpec(spec, Sealer.fromKey(key, { mask }));
    expect(JSON.stringify(redacted)).not.toContain('canary');
    expect(redacted.command).toBe('/opt/FP/bin');
    expect(redacted.args).toEqual(['--token=FP', 'plain']);
    expect(redacted.env['A']).toMatch(/^hmac:/);
    // The hash is of the masked spec: the same with the same key, so replicas survive a restart.
    expect(specHash(redactSpec(spec, Sealer.fromKey(key, { mask })))).toBe(specHash(redacted));
  });

  it('leaves the spec alone without a masker (values are then not known to be secret)', () => {
    expect(redactSpec(spec, Sealer.fromKey(Buffer.alloc(32, 1))).args).toEqual(spec.args);
  });
});

/** A masker of the registry's shape over a fixed key: what a later Sluice on the same data dir has. */
function masker(key: Buffer): SecretMasker & { known: Set<string> } {
  const known = new Set<string>();
  const fingerprint = (v: string) => `‹secret:sha256:${createHmac('sha256', key).update(v).digest('hex').slice(0, 8)}›`;
  return {
    known,
    fingerprint,
    add: (v) => known.add(v),
    mask: (t) => [...known].reduce((acc, v) => acc.replaceAll(v, fingerprint(v)), t),
  };
}

describe('Sealer.learnFrom', () => {
  it('learns from a recorded spec the values an earlier run masked, so adoption hashes alike', () => {
    const key = Buffer.alloc(32, 3);
    const before = masker(key);
    before.add!('tok-canary-2');
    before.add!('tok-canary-1');
    const recorded = redactSpec(spec, Sealer.fromKey(key, before));
    expect(recorded.args).toEqual([`--token=${before.fingerprint!('tok-canary-2')}`, 'plain']);

    // A restarted Sluice that has not decrypted anything yet.
    const after = masker(key);
    const sealer = Sealer.fromKey(key, after);
    sealer.learnFrom(spec, recorded);
    expect([...after.known].sort()).toEqual(['tok-canary-1', 'tok-canary-2']);
    expect(specHash(redactSpec(spec, sealer))).toBe(specHash(recorded));
  });

  it('learns nothing a fingerprint does not vouch for', () => {
    const key = Buffer.alloc(32, 3);
    const after = masker(key);
    const forged = { ...spec, args: ['--token=‹secret:sha256:00000000›', 'plain'] };
    Sealer.fromKey(key, after).learnFrom(spec, forged);
    expect(after.known.size).toBe(0);
  });
});
