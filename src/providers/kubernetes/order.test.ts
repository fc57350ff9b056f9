import { describe, expect, it } from 'vitest';
import { applyGroups, sortForApply, sortForPrune, waveOf } from './order.js';
import { ValidationError } from '../../errors/index.js';

const r = (apiVersion: string, kind: string, name: string, wave?: string) => ({
  apiVersion,
  kind,
  metadata: { name, ...(wave === undefined ? {} : { annotations: { 'sluice.dev/sync-wave': wave } }) },
});

describe('ordering', () => {
  const items = [
    r('example.com/v1', 'Widget', 'w'),
    r('apps/v1', 'Deployment', 'web'),
    r('v1', 'Service', 'web'),
    r('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
    r('v1', 'ConfigMap', 'cfg'),
    r('v1', 'Namespace', 'shop'),
    r('batch/v1', 'Job', 'migrate', '-1'),
  ];

  it('puts namespaces and CRDs first, then waves, then kinds', () => {
    expect(sortForApply(items).map((i) => `${i.kind}/${i.metadata.name}`)).toEqual([
      'Namespace/shop',
      'CustomResourceDefinition/widgets.example.com',
      'Job/migrate',
      'ConfigMap/cfg',
      'Service/web',
      'Deployment/web',
      'Widget/w',
    ]);
  });

  it('prunes in reverse', () => {
    const order = sortForPrune(items).map((i) => i.kind);
    expect(order[0]).toBe('Widget');
    expect(order.at(-1)).toBe('Namespace');
  });

  it('groups by tier and wave', () => {
    expect(applyGroups(items).map((g) => g.map((i) => i.kind))).toEqual([
      ['Namespace'],
      ['CustomResourceDefinition'],
      ['Job'],
      ['ConfigMap', 'Service', 'Deployment', 'Widget'],
    ]);
  });

  it('does not let a wave move a custom resource before its CRD', () => {
    const early = r('example.com/v1', 'Widget', 'w', '-10');
    const sorted = sortForApply([
      early,
      r('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
    ]);
    expect(sorted.map((i) => i.kind)).toEqual(['CustomResourceDefinition', 'Widget']);
  });

  it('rejects a wave that is not an integer, naming the resource', () => {
    let err: unknown;
    try {
      waveOf(r('v1', 'ConfigMap', 'cfg', 'soon'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe('KUBE_BAD_WAVE');
    expect((err as ValidationError).location.resource).toBe('ConfigMap/cfg');
  });
});
