import { describe, expect, it } from 'vitest';
import type { Resource } from '../../model/resource.js';
import { extractOwned, outOfSync, ownedFields, type FieldSet } from './managed-fields.js';
import { parseQuantity, sameQuantity } from './quantity.js';

const owned: FieldSet = {
  'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:annotations': { 'f:sluice.dev/revision': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:template': {
      'f:spec': {
        'f:containers': {
          'k:{"name":"web"}': {
            '.': {},
            'f:name': {},
            'f:image': {},
            'f:args': {},
            'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
            'f:resources': { 'f:limits': { 'f:cpu': {} } },
          },
        },
      },
    },
  },
};

const desired = (): Resource => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, annotations: { 'sluice.dev/revision': 'abc' } },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          {
            name: 'web',
            image: 'web:1',
            args: ['--a'],
            ports: [{ containerPort: 80 }],
            resources: { limits: { cpu: 0.5 } },
          },
        ],
      },
    },
  },
});

const live = (): Resource => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'shop',
    generation: 3,
    labels: { app: 'web', 'added-by': 'someone' },
    annotations: { 'sluice.dev/revision': 'older', 'deployment.kubernetes.io/revision': '4' },
    managedFields: [
      { manager: 'sluice', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: owned },
      { manager: 'kube-controller-manager', operation: 'Update', subresource: 'status', fieldsV1: { 'f:status': {} } },
    ],
  },
  spec: {
    replicas: 2,
    strategy: { type: 'RollingUpdate' },
    template: {
      spec: {
        containers: [
          {
            name: 'web',
            image: 'web:1',
            args: ['--a'],
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            resources: { limits: { cpu: '500m' } },
            imagePullPolicy: 'IfNotPresent',
          },
        ],
        restartPolicy: 'Always',
      },
    },
  },
  status: { replicas: 2 },
});

describe('outOfSync', () => {
  it('treats defaults, other writers, canonical quantities and the revision stamp as in sync', () => {
    const l = live();
    expect(outOfSync(desired(), l, ownedFields(l))).toBeUndefined();
  });

  it('reports a changed value under an owned field', () => {
    const d = desired();
    (d.spec as { replicas: number }).replicas = 3;
    const l = live();
    expect(outOfSync(d, l, ownedFields(l))).toBe('.spec.replicas changed');
  });

  it('reports a field someone else took over (no longer owned by sluice)', () => {
    const l = live();
    const fs = structuredClone(owned);
    delete fs['f:spec']!['f:replicas'];
    expect(outOfSync(desired(), l, fs)).toBe('.spec.replicas not owned by sluice');
  });

  it('reports a field removed from Git that sluice still owns', () => {
    const d = desired();
    delete (d.metadata.labels as Record<string, string>).app;
    const l = live();
    expect(outOfSync(d, l, ownedFields(l))).toBe('.metadata.labels.app no longer in Git');
  });

  it('reports a new list item and a changed atomic list', () => {
    const d = desired();
    const containers = (d.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec
      .containers;
    containers[0]!.args = ['--b'];
    const l = live();
    expect(outOfSync(d, l, ownedFields(l))).toBe('.spec.template.spec.containers[0].args changed');
    containers.push({ name: 'sidecar', image: 's:1' });
    expect(outOfSync(d, l, ownedFields(l))).toBe('.spec.template.spec.containers items added or removed');
  });

  it('reports an object never applied by sluice', () => {
    const l = live();
    expect(outOfSync(desired(), l, undefined)).toBe('not applied by sluice yet');
  });
});

describe('extractOwned', () => {
  it('keeps only owned fields with live values', () => {
    const l = live();
    type View = {
      metadata: { labels: object };
      spec: { strategy?: object; template: { spec: { containers: object[] } } };
      status?: object;
    };
    const view = extractOwned(l, ownedFields(l)) as View;
    expect(view.metadata.labels).toEqual({ app: 'web' });
    expect(view.spec.strategy).toBeUndefined();
    expect(view.status).toBeUndefined();
    expect(view.spec.template.spec.containers[0]).toEqual({
      name: 'web',
      image: 'web:1',
      args: ['--a'],
      ports: [{ containerPort: 80 }],
      resources: { limits: { cpu: '500m' } },
    });
  });
});

describe('quantities', () => {
  it('compares amounts, not spelling', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('web')).toBeUndefined();
    expect(sameQuantity('1024Mi', '1Gi')).toBe(true);
    expect(sameQuantity(0.5, '500m')).toBe(true);
    expect(sameQuantity('1', '2')).toBe(false);
  });
});
