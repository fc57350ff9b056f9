import { describe, expect, it } from 'vitest';
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
    const redacted = redactSpec(spec, Sealer.fromKey(key, mask));
    expect(JSON.stringify(redacted)).not.toContain('canary');
    expect(redacted.command).toBe('/opt/FP/bin');
    expect(redacted.args).toEqual(['--token=FP', 'plain']);
    expect(redacted.env['A']).toMatch(/^hmac:/);
    // The hash is of the masked spec: the same with the same key, so replicas survive a restart.
    expect(specHash(redactSpec(spec, Sealer.fromKey(key, mask)))).toBe(specHash(redacted));
  });

  it('leaves the spec alone without a masker (values are then not known to be secret)', () => {
    expect(redactSpec(spec, Sealer.fromKey(Buffer.alloc(32, 1))).args).toEqual(spec.args);
  });
});
