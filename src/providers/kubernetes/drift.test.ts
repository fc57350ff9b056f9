import { describe, expect, it } from 'vitest';
import type { Resource } from '../../model/resource.js';
import { detectDrift } from './drift.js';

const base = (): Resource => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'shop',
    resourceVersion: '10',
    labels: {
      'sluice.dev/project': 'p',
      'sluice.dev/app': 'web',
      'sluice.dev/env': 'dev',
      'applyset.kubernetes.io/part-of': 'applyset-x-v1',
    },
    managedFields: [
      { manager: 'sluice', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
    ],
  },
  spec: { replicas: 2, paused: false },
  status: { replicas: 2 },
});

describe('detectDrift', () => {
  it('ignores status and fields sluice does not own', () => {
    const after = base();
    (after.status as { replicas: number }).replicas = 1;
    (after.spec as { paused: boolean }).paused = true;
    expect(detectDrift('MODIFIED', after, base())).toBeUndefined();
  });

  it('reports an owned field taken over by another manager', () => {
    const after = base();
    (after.spec as { replicas: number }).replicas = 5;
    after.metadata.managedFields = [
      { manager: 'sluice', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': {} } },
      {
        manager: 'kubectl-edit',
        operation: 'Update',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      },
    ];
    expect(detectDrift('MODIFIED', after, base())).toEqual({
      scope: { project: 'p', app: 'web', env: 'dev' },
      message: 'Deployment/shop/web: .spec.replicas changed by "kubectl-edit"',
    });
  });

  it('reports deletions and ignores objects outside any applyset', () => {
    expect(detectDrift('DELETED', base(), undefined)?.message).toBe('Deployment/shop/web was deleted outside Sluice');
    const stranger = base();
    delete stranger.metadata.labels!['applyset.kubernetes.io/part-of'];
    expect(detectDrift('DELETED', stranger, undefined)).toBeUndefined();
  });
});
