import { describe, expect, it } from 'vitest';
import { resourceDiff, unifiedDiff } from './diff.js';

describe('unifiedDiff', () => {
  it('is empty for equal text', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y')).toBe('');
  });

  it('prints hunks with context', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].join('\n') + '\n';
    const after = ['a', 'b', 'c', 'D', 'e', 'f', 'g', 'h'].join('\n') + '\n';
    expect(unifiedDiff(before, after, 'live', 'desired')).toBe(
      ['--- live', '+++ desired', '@@ -1,7 +1,7 @@', ' a', ' b', ' c', '-d', '+D', ' e', ' f', ' g', ''].join('\n'),
    );
  });

  it('shows a create as all additions', () => {
    expect(unifiedDiff('', 'a\n', 'l', 'd')).toBe('--- l\n+++ d\n@@ -0,0 +1,1 @@\n+a\n');
  });
});

describe('resourceDiff', () => {
  it('never prints Secret values, but shows that one changed', () => {
    const kind = { apiVersion: 'v1', kind: 'Secret' };
    const before = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { password: 'b2xk', user: 'YQ==' },
    };
    const after = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { password: 'bmV3', user: 'YQ==' },
    };
    const text = resourceDiff(kind, before, after, 'Secret/s');
    expect(text).not.toContain('b2xk');
    expect(text).not.toContain('bmV3');
    expect(text).not.toContain('YQ==');
    expect(text).toContain('+  password: "*** (masked, changed)"');
    const created = resourceDiff(kind, undefined, after, 'Secret/s');
    expect(created).not.toContain('bmV3');
    // The inputs are not modified.
    expect(after.data.password).toBe('bmV3');
  });
});
