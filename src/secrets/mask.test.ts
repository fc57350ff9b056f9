import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { SecretRegistry, redactResource } from './mask.js';
import { FINGERPRINT_PATTERN } from './fingerprint.js';
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
  it('masks plain, base64 and JSON-escaped forms with the fingerprint, longest first', () => {
    const r = new SecretRegistry();
    const MASK = r.fingerprint('pa55word-canary');
    expect(MASK).toMatch(new RegExp(`^${FINGERPRINT_PATTERN.source}$`));
    r.add('pa55word-canary');
    r.add('line "quoted"\nsecond-line-long');
    expect(r.mask('connect with pa55word-canary now')).toBe(`connect with ${MASK} now`);
    expect(r.mask(Buffer.from('pa55word-canary').toString('base64'))).toBe(MASK);
    const multi = r.fingerprint('line "quoted"\nsecond-line-long');
    expect(r.mask(JSON.stringify({ v: 'line "quoted"\nsecond-line-long' }))).toBe(`{"v":"${multi}"}`);
    expect(r.mask('only second-line-long leaked')).toBe(`only ${r.fingerprint('second-line-long')} leaked`);
  });

  it('ignores very short values and learns Secrets', () => {
    const r = new SecretRegistry();
    r.add('1');
    expect(r.mask('1 2 3')).toBe('1 2 3');
    r.addResource(secret);
    const [pw, tok] = [r.fingerprint('pa55word-canary'), r.fingerprint('tok-canary-123')];
    expect(r.mask('x pa55word-canary tok-canary-123')).toBe(`x ${pw} ${tok}`);
    expect(r.maskDeep({ a: ['tok-canary-123'] })).toEqual({ a: [tok] });
  });

  it('finds a value in every escaped and encoded form, alone or inside other text', () => {
    const r = new SecretRegistry();
    const value = `tok-${'\u0000'}x"q\\b/s p&x=%41+é\t\x1b-end`;
    r.add(value);
    const fp = r.fingerprint(value);
    const forms = [
      value,
      JSON.stringify(value),
      JSON.stringify(JSON.stringify(value)),
      JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      // util.inspect's and YAML's double-quoted styles.
      inspect(value),
      `'${value.replaceAll('\\', '\\\\').replaceAll('\0', '\\x00').replaceAll('\t', '\\t').replaceAll('\x1b', '\\x1B')}'`,
      `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\0', '\\0').replaceAll('\t', '\\t').replaceAll('\x1b', '\\e')}"`,
      stringify(value, { defaultStringType: 'QUOTE_DOUBLE' }),
      encodeURIComponent(value),
      encodeURIComponent(value).replace(/%20/g, '+').toLowerCase(),
      Buffer.from(value).toString('base64'),
      Buffer.from(value).toString('base64url'),
    ];
    for (const form of forms) {
      const masked = r.mask(`before ${form} after`);
      expect(masked, form).toContain(fp);
      expect(masked, form).not.toMatch(/tok-|-end/);
    }
    // Inside a longer base64 text at any alignment (a file holding the value).
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const b64 = Buffer.from(`${prefix}${value} and more`).toString('base64');
      expect(r.mask(b64), prefix).toContain(fp);
    }
    expect(r.mask('nothing secret here: tok- end')).toBe('nothing secret here: tok- end');
  });

  it('never starts inside an escape sequence, so masked JSON stays JSON', () => {
    const r = new SecretRegistry();
    r.add('nabc123');
    const text = JSON.stringify({ a: 'x\nabc123', b: 'C:\\nabc123' });
    const masked = r.mask(text);
    expect(JSON.parse(masked)).toEqual({ a: 'x\nabc123', b: `C:\\${r.fingerprint('nabc123')}` });
  });

  it('masks a large text asked again after a value was learnt with that value too', () => {
    const r = new SecretRegistry();
    r.add('first-canary-value');
    const big = `${'x'.repeat(70_000)} first-canary-value second-canary-value`;
    const once = r.mask(big);
    expect(r.mask(big)).toBe(once);
    expect(once).not.toContain('first-canary-value');
    expect(once).toContain('second-canary-value');
    r.add('second-canary-value');
    const again = r.mask(big);
    expect(again).not.toContain('second-canary-value');
    expect(again).toContain(r.fingerprint('second-canary-value'));
  });

  it('uses the key it is given, so fingerprints compare across runs', () => {
    const key = Buffer.alloc(32, 7);
    expect(new SecretRegistry({ key }).fingerprint('abcd')).toBe(new SecretRegistry({ key }).fingerprint('abcd'));
    expect(new SecretRegistry().fingerprint('abcd')).not.toBe(new SecretRegistry().fingerprint('abcd'));
  });
});

describe('redactResource', () => {
  it('replaces values with stable fingerprints and leaves the input alone', () => {
    const a = redactResource(secret);
    expect(JSON.stringify(a)).not.toContain('canary');
    expect(JSON.stringify(a)).not.toContain(Buffer.from('pa55word-canary').toString('base64'));
    expect((a['data'] as Record<string, string>)['password']).toMatch(new RegExp(`^${FINGERPRINT_PATTERN.source}$`));
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
