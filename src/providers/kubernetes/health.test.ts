import { describe, expect, it } from 'vitest';
import type { Resource } from '../../model/resource.js';
import { evaluateHealth } from './health.js';
import { evaluateCelHealth } from './health-cel.js';
import { resolveOptions } from './options.js';
import { healthTransition, kindAndName, scopeHealth } from './scope-health.js';

const obj = (apiVersion: string, kind: string, spec: object, status: object, generation = 1): Resource => ({
  apiVersion,
  kind,
  metadata: { name: 'x', generation },
  spec,
  status,
});

describe('evaluateHealth', () => {
  it('follows a Deployment rollout like kubectl rollout status', () => {
    const d = (status: object, spec: object = { replicas: 2 }) =>
      evaluateHealth(obj('apps/v1', 'Deployment', spec, status, 2)).status;
    expect(d({ observedGeneration: 1 })).toBe('Progressing');
    expect(d({ observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 1 })).toBe('Progressing');
    expect(d({ observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2 })).toBe('Progressing');
    expect(d({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 })).toBe('Progressing');
    expect(d({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 })).toBe('Healthy');
    expect(
      d({
        observedGeneration: 2,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      }),
    ).toBe('Degraded');
    expect(d({}, { replicas: 1, paused: true })).toBe('Suspended');
  });

  it('judges StatefulSets, DaemonSets and ReplicaSets', () => {
    expect(
      evaluateHealth(obj('apps/v1', 'StatefulSet', { replicas: 2 }, { observedGeneration: 1, readyReplicas: 1 }))
        .status,
    ).toBe('Progressing');
    expect(
      evaluateHealth(
        obj(
          'apps/v1',
          'StatefulSet',
          { replicas: 2 },
          { observedGeneration: 1, readyReplicas: 2, currentRevision: 'a', updateRevision: 'b' },
        ),
      ).status,
    ).toBe('Progressing');
    expect(
      evaluateHealth(
        obj(
          'apps/v1',
          'StatefulSet',
          { replicas: 2 },
          { observedGeneration: 1, readyReplicas: 2, currentRevision: 'b', updateRevision: 'b' },
        ),
      ).status,
    ).toBe('Healthy');
    expect(
      evaluateHealth(
        obj(
          'apps/v1',
          'DaemonSet',
          {},
          { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 },
        ),
      ).status,
    ).toBe('Progressing');
    expect(
      evaluateHealth(
        obj(
          'apps/v1',
          'DaemonSet',
          {},
          { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 },
        ),
      ).status,
    ).toBe('Healthy');
    expect(
      evaluateHealth(obj('apps/v1', 'ReplicaSet', { replicas: 1 }, { observedGeneration: 1, availableReplicas: 1 }))
        .status,
    ).toBe('Healthy');
  });

  it('judges Jobs, Pods, Services, PVCs and Ingresses', () => {
    expect(
      evaluateHealth(obj('batch/v1', 'Job', {}, { conditions: [{ type: 'Complete', status: 'True' }] })).status,
    ).toBe('Healthy');
    expect(
      evaluateHealth(
        obj(
          'batch/v1',
          'Job',
          {},
          { conditions: [{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' }] },
        ),
      ),
    ).toEqual({ status: 'Degraded', message: 'BackoffLimitExceeded' });
    expect(
      evaluateHealth(
        obj(
          'v1',
          'Pod',
          {},
          { phase: 'Running', containerStatuses: [{ name: 'a', state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
        ),
      ).status,
    ).toBe('Degraded');
    expect(
      evaluateHealth(obj('v1', 'Pod', {}, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }))
        .status,
    ).toBe('Healthy');
    expect(evaluateHealth(obj('v1', 'Service', { type: 'LoadBalancer' }, {})).status).toBe('Progressing');
    expect(
      evaluateHealth(obj('v1', 'Service', { type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } }))
        .status,
    ).toBe('Healthy');
    expect(evaluateHealth(obj('v1', 'Service', { type: 'ClusterIP' }, {})).status).toBe('Healthy');
    expect(evaluateHealth(obj('v1', 'PersistentVolumeClaim', {}, { phase: 'Pending' })).status).toBe('Progressing');
    expect(evaluateHealth(obj('v1', 'PersistentVolumeClaim', {}, { phase: 'Bound' })).status).toBe('Healthy');
    expect(evaluateHealth(obj('networking.k8s.io/v1', 'Ingress', {}, {})).status).toBe('Progressing');
  });

  it('reads standard conditions on any other kind', () => {
    expect(
      evaluateHealth(
        obj(
          'example.com/v1',
          'Widget',
          {},
          { conditions: [{ type: 'Ready', status: 'False', message: 'warming up' }] },
        ),
      ),
    ).toEqual({ status: 'Progressing', message: 'warming up' });
    expect(
      evaluateHealth(obj('example.com/v1', 'Widget', {}, { conditions: [{ type: 'Ready', status: 'True' }] })).status,
    ).toBe('Healthy');
    expect(
      evaluateHealth(
        obj('example.com/v1', 'Widget', {}, { conditions: [{ type: 'Stalled', status: 'True', message: 'bad' }] }),
      ).status,
    ).toBe('Degraded');
    expect(evaluateHealth({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }).status).toBe('Healthy');
  });
});

describe('evaluateCelHealth', () => {
  const widget = obj('example.com/v1', 'Widget', { size: 3 }, { ready: 2, phase: 'Broken' });

  it('maps bools, status names and maps', () => {
    expect(evaluateCelHealth('object.status.ready >= object.spec.size', widget).status).toBe('Progressing');
    expect(evaluateCelHealth('object.status.ready > 1', widget).status).toBe('Healthy');
    expect(evaluateCelHealth('object.status.phase == "Broken" ? "Degraded" : "Healthy"', widget).status).toBe(
      'Degraded',
    );
    expect(evaluateCelHealth('{"status": "Degraded", "message": "phase " + object.status.phase}', widget)).toEqual({
      status: 'Degraded',
      message: 'phase Broken',
    });
  });

  it('turns broken expressions into Unknown', () => {
    expect(evaluateCelHealth('object.status.(', widget).status).toBe('Unknown');
    expect(evaluateCelHealth('object.status.missing.deeper == 1', widget).status).toBe('Unknown');
    expect(evaluateCelHealth('42', widget).status).toBe('Unknown');
  });
});

describe('health check options', () => {
  it('rejects a CEL check that does not parse, naming the kind', () => {
    expect(() => resolveOptions({ healthChecks: { 'Widget.example.com': 'object.status.(' } }, undefined)).toThrow(
      /health check for Widget.example.com is not valid CEL/,
    );
    expect(resolveOptions({ healthChecks: { Widget: 'true' } }, 'team').defaultNamespace).toBe('team');
  });
});

describe('healthTransition', () => {
  const dep = (available: number) => ({
    ...obj(
      'apps/v1',
      'Deployment',
      { replicas: 1 },
      { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: available },
    ),
    metadata: { name: 'web', namespace: 'shop', generation: 1 },
  });
  const failed = {
    ...dep(0),
    status: {
      observedGeneration: 1,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'timed out' }],
    },
  };

  it('reports becoming Healthy or Degraded, and nothing else', () => {
    expect(healthTransition(dep(0), dep(1), {})).toEqual({
      type: 'healthy',
      message: 'Deployment/shop/web is Healthy (was Progressing)',
    });
    expect(healthTransition(dep(1), failed, {})).toEqual({
      type: 'unhealthy',
      message: 'Deployment/shop/web is Degraded: rollout exceeded its progress deadline: timed out',
    });
    expect(healthTransition(dep(1), dep(0), {})).toBeUndefined();
    expect(healthTransition(dep(1), dep(1), {})).toBeUndefined();
  });
});

describe('scopeHealth', () => {
  it('adds Missing for applied keys that are not live', () => {
    const live = obj('v1', 'ConfigMap', {}, {});
    live.metadata = { name: 'c', namespace: 'n' };
    const out = scopeHealth([live], ['ConfigMap/n/c', 'Deployment.apps/n/web', 'Namespace/n'], {});
    expect(out.map((h) => `${h.kind}/${h.name}:${h.status}`)).toEqual([
      'ConfigMap/c:Healthy',
      'Deployment/web:Missing',
      'Namespace/n:Missing',
    ]);
    expect(kindAndName('Widget.example.com/ns/w1')).toEqual({ kind: 'Widget', name: 'w1' });
  });
});
