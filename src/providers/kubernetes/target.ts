import { z } from 'zod';
import { celExpression } from '../../model/cel-expression.js';
import { durationString, parseDuration } from '../../model/duration.js';
import { splitImage } from '../../model/image-ref.js';
import { apiGroup, type Resource } from '../../model/resource.js';
import type { Claim, ContainerRef, ResourceIssue, TargetKind, ValueEdit, Workload } from '../types.js';
import { kubeconfigFiles, loadKubeConfig } from './client.js';
import { readKubeLogs } from './logs.js';
import { clusterSchema } from './cluster-schema.js';
import { checkSchema } from './schema-check.js';
import type { SchemaBundle } from './schema-compact.js';
import { declarationFingerprint, isShared, objectClaimKey } from './shared.js';
import type { KubernetesProviderOptions } from './options.js';
import { KubernetesProvider } from './provider.js';
import { kubernetesScaffold } from './scaffold.js';

const targetSchema = z.strictObject({
  provider: z.literal('kubernetes'),
  kubeconfig: z.string().optional().describe('Path to a kubeconfig; defaults to KUBECONFIG or ~/.kube/config'),
  context: z.string().optional().describe('kubeconfig context; defaults to the current context'),
  inCluster: z.boolean().optional().describe('Use the service account of the pod Sluice runs in'),
  inventoryNamespace: z
    .string()
    .optional()
    .describe('Namespace of the applyset parents (one ConfigMap per app × environment); default sluice-system'),
  defaultNamespace: z
    .string()
    .optional()
    .describe("Namespace for namespaced objects that name none; default the context's namespace, else default"),
  healthChecks: z
    .record(z.string(), celExpression)
    .optional()
    .describe(
      'Custom health as CEL over `object` per group-kind (Widget.example.com, Deployment.apps); the sluice.dev/health annotation wins',
    ),
  overrideEdits: z
    .boolean()
    .optional()
    .describe('Take back fields held by imperative edits (kubectl edit, scale); default true'),
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(256)
    .optional()
    .describe('Concurrent API requests while applying; default 16'),
  waveTimeout: durationString
    .optional()
    .describe(
      'How long a sync wave may take to become healthy before the sync fails; 0s applies waves without waiting; default 5m',
    ),
  description: z.string().optional(),
});

export type KubernetesTarget = z.output<typeof targetSchema>;

/** The provider settings a kubernetes target in sluice.yaml carries. */
export function targetOptions(target: KubernetesTarget): KubernetesProviderOptions {
  const o: KubernetesProviderOptions = {};
  if (target.inventoryNamespace !== undefined) o.inventoryNamespace = target.inventoryNamespace;
  if (target.defaultNamespace !== undefined) o.defaultNamespace = target.defaultNamespace;
  if (target.healthChecks !== undefined) o.healthChecks = target.healthChecks;
  if (target.overrideEdits !== undefined) o.overrideEdits = target.overrideEdits;
  if (target.concurrency !== undefined) o.concurrency = target.concurrency;
  if (target.waveTimeout !== undefined) o.waveTimeoutMs = parseDuration(target.waveTimeout);
  return o;
}

/** Kinds whose objects carry a pod template (or are a pod). */
export const WORKLOAD_KINDS = new Set([
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'ReplicationController',
]);
const REPLICATED_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function podSpecPath(kind: string): string[] {
  if (kind === 'Pod') return ['spec'];
  if (kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
  return ['spec', 'template', 'spec'];
}

/** The pod spec of a workload and its path, or undefined for other kinds. */
function podSpec(r: Resource): { spec: Obj; path: string[] } | undefined {
  if (!WORKLOAD_KINDS.has(r.kind)) return undefined;
  const path = podSpecPath(r.kind);
  let cur: unknown = r;
  for (const step of path) cur = obj(cur)?.[step];
  const spec = obj(cur);
  return spec ? { spec, path } : undefined;
}

function containers(r: Resource): (ContainerRef & { path: (string | number)[] })[] {
  const pod = podSpec(r);
  if (!pod) return [];
  const out: (ContainerRef & { path: (string | number)[] })[] = [];
  for (const [key, kind] of [
    ['initContainers', 'initContainer'],
    ['containers', 'container'],
  ] as const) {
    const list = pod.spec[key];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      const spec = obj(c);
      if (spec)
        out.push({
          name: String(spec['name'] ?? i),
          spec,
          field: `${pod.path.join('.')}.${key}[${i}]`,
          kind,
          path: [...pod.path, key, i],
        });
    });
  }
  return out;
}

function workloads(r: Resource): Workload | undefined {
  if (!WORKLOAD_KINDS.has(r.kind)) return undefined;
  const list = containers(r).map(({ path: _path, ...c }) => c);
  const replicas = obj(r['spec'])?.['replicas'];
  return {
    containers: list,
    artifacts: list
      .filter((c) => typeof c.spec['image'] === 'string')
      .map((c) => ({ ref: c.spec['image'] as string, field: `${c.field}.image`, type: 'image' as const })),
    replicas: REPLICATED_KINDS.has(r.kind)
      ? [{ count: typeof replicas === 'number' ? replicas : 1, field: 'spec.replicas' }]
      : [],
  };
}

/** sluice.dev kinds (Process) belong to the process target. */
function accepts(r: Resource): boolean {
  return typeof r.apiVersion === 'string' && typeof r.kind === 'string' && !r.apiVersion.startsWith('sluice.dev/');
}

// What the API server refuses for every kind: most kinds are stricter (a DNS subdomain), but
// some are not (RBAC names such as system:aggregate-to-edit), so only the common floor is checked here.
// The fields are checked against the shipped schema, or `served`, the one a cluster serves.
function validate(r: Resource, served?: SchemaBundle): ResourceIssue[] {
  const name: unknown = r.metadata?.name;
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    name.length > 253 ||
    name === '.' ||
    name === '..' ||
    /[/%]/.test(name)
  )
    return [
      {
        path: ['metadata', 'name'],
        message: 'metadata.name must be a non-empty name of at most 253 characters without "/" or "%"',
        hint: 'Most kinds take a lowercase DNS name (a-z, 0-9, "-", ".").',
      },
    ];
  const ns: unknown = r.metadata.namespace;
  if (ns !== undefined && (typeof ns !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63))
    return [
      {
        path: ['metadata', 'namespace'],
        message: 'metadata.namespace must be a lowercase DNS label (a-z, 0-9, "-") of at most 63 characters',
      },
    ];
  const labels = badLabelValues(r.metadata.labels);
  return labels.length > 0 ? labels : checkSchema(r, served);
}

// The API server's rule for a label value: empty, or at most 63 characters of a-z, A-Z, 0-9,
// "-", "_", "." starting and ending with a letter or digit.
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function badLabelValues(labels: unknown): ResourceIssue[] {
  if (!labels || typeof labels !== 'object' || Array.isArray(labels)) return [];
  return Object.entries(labels)
    .filter(([, v]) => typeof v === 'string' && (v.length > 63 || !LABEL_VALUE.test(v)))
    .map(([k, v]) => ({
      path: ['metadata', 'labels', k],
      message: `label ${k}: value ${JSON.stringify(v)} must be at most 63 characters of a-z, A-Z, 0-9, "-", "_" and ".", starting and ending with a letter or digit`,
      hint: 'Labels are for selecting; put free text in an annotation.',
    }));
}

// Kinds without a namespace: the same name is one object wherever it is declared.
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'PriorityClass',
  'IngressClass',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'RuntimeClass',
  'CSIDriver',
]);

/**
 * One object on a cluster, as the cluster names it: two apps declaring it would fight over it,
 * unless both declare it alike and shared.
 */
function claims(r: Resource, target: KubernetesTarget): Claim[] {
  const group = apiGroup(r.apiVersion);
  const gk = group ? `${r.kind}.${group}` : r.kind;
  const ns = CLUSTER_SCOPED.has(r.kind) ? '' : (r.metadata.namespace ?? target.defaultNamespace ?? 'default');
  const ref = ns ? `${r.kind}/${ns}/${r.metadata.name}` : `${r.kind}/${r.metadata.name}`;
  const claim: Claim = { key: objectClaimKey(gk, ns, r.metadata.name), description: `object ${ref}` };
  if (isShared(r)) claim.shared = declarationFingerprint(r);
  return [claim];
}

/** Kubernetes objects applied with server-side apply: a cluster reached by kubeconfig or from inside a pod. */
export const kubernetesTarget: TargetKind<typeof targetSchema> = {
  kind: 'kubernetes',
  targetSchema,
  example: {
    target: { provider: 'kubernetes', context: 'kind-dev', waveTimeout: '1m' },
    resource: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'ghcr.io/acme/web:1.0' }] } } },
    },
  },
  // Every field but the description changes how the provider talks to the cluster or applies.
  connectionKey: ({ description: _d, ...connection }) => JSON.stringify(connection),
  create: (target, ctx) =>
    new KubernetesProvider(loadKubeConfig(target), ctx, targetOptions(target), {
      files: kubeconfigFiles(target),
      load: () => loadKubeConfig(target),
    }),
  accepts,
  validate: (r) => validate(r),
  async servedValidation(target, dataDir) {
    const { bundle, server } = await clusterSchema(target, dataDir);
    return { validate: (r) => validate(r, bundle), source: `Kubernetes ${bundle.version} at ${server}` };
  },
  claims,
  workloads,
  appliedArtifacts: (r) =>
    containers(r).flatMap((c) => {
      const image = c.spec['image'];
      if (typeof image !== 'string') return [];
      const { name, tag, digest } = splitImage(image);
      return [{ kind: 'image' as const, name, ref: name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) }];
    }),
  artifactEdits(r, artifact) {
    if (artifact.kind !== 'image') return [];
    const edits: ValueEdit[] = [];
    for (const c of containers(r)) {
      const image = c.spec['image'];
      if (typeof image !== 'string') continue;
      const current = splitImage(image).name;
      // Matched by the name the overlay knows it by, or by the repository the artifact was built to.
      if (current !== artifact.name && current !== artifact.ref) continue;
      edits.push({
        path: [...c.path, 'image'],
        value: `${current}${artifact.tag ? `:${artifact.tag}` : ''}${artifact.digest ? `@${artifact.digest}` : ''}`,
      });
    }
    return edits;
  },
  // Pods answer on cluster addresses Sluice does not reach; checks name a Service or Ingress URL instead.
  endpoints: () => [],
  readLogs: (dataDir, scope, options, target) => readKubeLogs(dataDir, scope, options, target),
  followsLogs: true,
  scaffold: (request) =>
    kubernetesScaffold({ project: request.project, ...(request.context ? { context: request.context } : {}) }),
};
