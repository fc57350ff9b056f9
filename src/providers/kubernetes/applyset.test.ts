import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applysetId, formatList, groupKindOf, parentFor, parseList, splitGroupKind } from './applyset.js';

describe('applysetId', () => {
  it('hashes name.namespace.kind.group as unpadded base64url with the KEP prefix and suffix', () => {
    const parent = { name: 'sluice.shop.dev.payments', namespace: 'sluice-system', kind: 'ConfigMap', group: '' };
    const std = createHash('sha256').update('sluice.shop.dev.payments.sluice-system.ConfigMap.').digest('base64');
    const urlSafe = std.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const id = applysetId(parent);
    expect(id).toBe(`applyset-${urlSafe}-v1`);
    expect(id).toMatch(/^applyset-[A-Za-z0-9_-]{43}-v1$/);
    // Must fit a label value.
    expect(id.length).toBeLessThanOrEqual(63);
  });

  it('differs per scope', () => {
    const a = applysetId(parentFor({ project: 'p', env: 'dev', app: 'a' }, 'ns'));
    const b = applysetId(parentFor({ project: 'p', env: 'prod', app: 'a' }, 'ns'));
    expect(a).not.toBe(b);
  });
});

describe('group kinds', () => {
  it('spells core kinds bare and others with their group', () => {
    expect(groupKindOf({ apiVersion: 'v1', kind: 'Service' })).toBe('Service');
    expect(groupKindOf({ apiVersion: 'apps/v1', kind: 'Deployment' })).toBe('Deployment.apps');
    expect(splitGroupKind('Ingress.networking.k8s.io')).toEqual({ kind: 'Ingress', group: 'networking.k8s.io' });
    expect(splitGroupKind('ConfigMap')).toEqual({ kind: 'ConfigMap', group: '' });
  });

  it('formats lists sorted and de-duplicated, and parses them back', () => {
    const text = formatList(['Service', 'Deployment.apps', 'Service']);
    expect(text).toBe('Deployment.apps,Service');
    expect(parseList(text)).toEqual(['Deployment.apps', 'Service']);
    expect(parseList(undefined)).toEqual([]);
    expect(parseList('')).toEqual([]);
  });
});
