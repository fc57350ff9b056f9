import { describe, expect, it } from 'vitest';
import { MASK, SecretRegistry, redactResource } from './mask.js';
import { isFromEncryptedSource, markDecrypted, stripInternalAnnotations, SOPS_SOURCE_ANNOTATION } from './marker.js';
import type { Resource } from '../model/resource.js';

const secret: Resource = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db' },
  data: { password: Buffer.from('pa55word-canary').toString('base64') },
  stringData: { token: 'tok-canary-123' },
};

describe('SecretRegistry', () => {
  it('masks plain, base64 and JSON-escaped forms, longest first', () => {
    const r = new SecretRegistry();
    r.add('pa55word-canary');
    r.add('line "quoted"\nsecond-line-long');
    expect(r.mask('connect with pa55word-canary now')).toBe(`connect with ${MASK} now`);
    expect(r.mask(Buffer.from('pa55word-canary').toString('base64'))).toBe(MASK);
    expect(r.mask(JSON.stringify({ v: 'line "quoted"\nsecond-line-long' }))).toBe(`{"v":"${MASK}"}`);
    expect(r.mask('only second-line-long leaked')).toBe(`only ${MASK} leaked`);
  });

  it('ignores very short values and learns Secrets', () => {
    const r = new SecretRegistry();
    r.add('1');
    expect(r.mask('1 2 3')).toBe('1 2 3');
    r.addResource(secret);
    expect(r.mask('x pa55word-canary tok-canary-123')).toBe(`x ${MASK} ${MASK}`);
    expect(r.maskDeep({ a: ['tok-canary-123'] })).toEqual({ a: [MASK] });
  });
});

describe('redactResource', () => {
  it('replaces values with stable fingerprints and leaves the input alone', () => {
    const a = redactResource(secret);
    expect(JSON.stringify(a)).not.toContain('canary');
    expect(JSON.stringify(a)).not.toContain(Buffer.from('pa55word-canary').toString('base64'));
    expect((a['data'] as Record<string, string>)['password']).toMatch(/^<redacted sha256:[0-9a-f]{8}>$/);
    expect(redactResource(secret)).toEqual(a);
    const changed = redactResource({ ...secret, stringData: { token: 'other-value' } });
    expect(changed['stringData']).not.toEqual(a['stringData']);
    expect((secret['stringData'] as Record<string, string>)['token']).toBe('tok-canary-123');
  });

  it('masks known values in other kinds when given a registry', () => {
    const r = new SecretRegistry();
    r.add('tok-canary-123');
    const cm: Resource = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { url: 'https://u:tok-canary-123@h' },
    };
    expect(JSON.stringify(redactResource(cm, { registry: r }))).not.toContain('canary');
  });
});

describe('internal annotation', () => {
  it('marks, detects and strips', () => {
    const marked = markDecrypted(secret, 'apps/a/secret.enc.yaml');
    expect(isFromEncryptedSource({ object: marked })).toBe(true);
    expect(isFromEncryptedSource({ object: secret, origin: { file: 'x.yaml' } }, new Set(['x.yaml']))).toBe(true);
    expect(isFromEncryptedSource({ object: secret, origin: { file: 'y.yaml' } }, new Set(['x.yaml']))).toBe(false);
    const stripped = stripInternalAnnotations(marked);
    expect(stripped.metadata.annotations).toBeUndefined();
    expect(marked.metadata.annotations?.[SOPS_SOURCE_ANNOTATION]).toBe('apps/a/secret.enc.yaml');
  });
});
