import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../../src/model/resource.js';
import type { Provider, Scope } from '../../../src/providers/types.js';
import { applyOpts, ns, startProvider } from './helpers.js';

/** Manifests the API server defaults and canonicalises heavily: none of that may read as a change. */
const NS = 'norm-test';
const labels = { app: 'store' };
const manifests: Resource[] = [
  ns(NS),
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'store', namespace: NS } },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'store', namespace: NS },
    type: 'Opaque',
    stringData: { password: 'not-a-real-one' },
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'store', namespace: NS },
    data: { 'app.yaml': 'a: 1\n' },
    binaryData: { blob: 'AAEC' },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'store', namespace: NS },
    spec: {
      selector: labels,
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
      ],
    },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'store', namespace: NS },
    spec: {
      serviceName: 'store',
      replicas: 3,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: 'store',
          securityContext: { runAsNonRoot: true, fsGroup: 2000 },
          tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }],
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } },
                },
              ],
            },
          },
          containers: [
            {
              name: 'store',
              image: 'registry.example/store:3.1',
              args: ['--port=8080'],
              env: [
                { name: 'MODE', value: 'primary' },
                { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'store', key: 'password' } } },
              ],
              ports: [
                { name: 'http', containerPort: 8080 },
                { name: 'metrics', containerPort: 9090 },
              ],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
              resources: { requests: { cpu: '0.25', memory: '512Mi' }, limits: { cpu: 1, memory: '1Gi' } },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
        },
      ],
    },
  },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'store', namespace: NS },
    spec: { maxUnavailable: '34%', selector: { matchLabels: labels } },
  },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'store', namespace: NS },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'store' },
      minReplicas: 3,
      maxReplicas: 5,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
    },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'backup', namespace: NS },
    spec: {
      schedule: '0 3 * * *',
      jobTemplate: {
        spec: {
          template: {
            spec: { restartPolicy: 'OnFailure', containers: [{ name: 'backup', image: 'registry.example/backup:1' }] },
          },
        },
      },
    },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'store', namespace: NS, annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' } },
    spec: {
      rules: [
        {
          host: 'store.example.com',
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'store', port: { name: 'http' } } } }],
          },
        },
      ],
    },
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'store', namespace: NS },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'store', namespace: NS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'store' },
    subjects: [{ kind: 'ServiceAccount', name: 'store', namespace: NS }],
  },
];

describe('no phantom changes after the server normalises objects', () => {
  let provider: Provider;
  const scope: Scope = { project: 'shop', app: 'store', env: 'norm' };
  beforeAll(async () => {
    provider = await startProvider();
  });
  afterAll(async () => {
    await provider.close();
  });

  it('plans nothing after applying, from the cache and through dry-run alike', async () => {
    const applied = await provider.apply(scope, manifests, applyOpts());
    expect(applied.summary.create).toBe(manifests.length);
    const plan = await provider.plan(scope, manifests, { prune: true });
    expect(plan.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.key}: ${c.reason}`)).toEqual([]);
    const again = await provider.apply(scope, manifests, applyOpts({ revision: 'rev2' }));
    expect(again.summary.unchanged).toBe(manifests.length);
  });

  it('restarted with an empty cache, still sees no changes', async () => {
    await provider.close();
    provider = await startProvider();
    const plan = await provider.plan(scope, manifests, { prune: true });
    expect(plan.summary.unchanged).toBe(manifests.length);
  });
});
