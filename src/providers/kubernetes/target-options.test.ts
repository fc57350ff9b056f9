import { describe, expect, it } from 'vitest';
import { parseProject } from '../../config/index.js';
import { targetOptions } from './index.js';

const project = (target: string) =>
  parseProject(`apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: shop }
spec:
  targets:
    cluster:
${target}
  environments:
    - { name: dev, target: cluster }
`);

describe('a kubernetes target in sluice.yaml', () => {
  it('carries its provider settings', () => {
    const target = project(`      provider: kubernetes
      inventoryNamespace: sluice-inventory
      defaultNamespace: shop
      overrideEdits: false
      concurrency: 4
      waveTimeout: 1m30s
      healthChecks: { Widget.example.com: "object.status.phase == 'Ready'" }`).targets.get('cluster')!;
    if (target.provider !== 'kubernetes') throw new Error('expected a kubernetes target');
    expect(targetOptions(target)).toEqual({
      inventoryNamespace: 'sluice-inventory',
      defaultNamespace: 'shop',
      overrideEdits: false,
      concurrency: 4,
      waveTimeoutMs: 90_000,
      healthChecks: { 'Widget.example.com': "object.status.phase == 'Ready'" },
    });
  });

  it('leaves every setting to the provider default when none is written', () => {
    const target = project('      provider: kubernetes').targets.get('cluster')!;
    if (target.provider !== 'kubernetes') throw new Error('expected a kubernetes target');
    expect(targetOptions(target)).toEqual({});
  });
});
