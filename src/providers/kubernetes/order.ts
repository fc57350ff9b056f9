import type { Resource } from '../../model/resource.js';
import { apiGroup, resourceRef } from '../../model/resource.js';
import { ValidationError } from '../../errors/index.js';
import { ANNOTATION_WAVE } from './labels.js';

/**
 * Apply order: namespaces, then CRDs (both must exist before anything that lives in or is
 * typed by them), then sync waves, then a kind order close to Helm's install order so that
 * what a workload mounts or references exists before the workload does. Pruning walks the
 * same order backwards.
 */

const KIND_ORDER = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];
const kindRank = new Map(KIND_ORDER.map((k, i) => [k, i]));

type Ordered = Pick<Resource, 'apiVersion' | 'kind' | 'metadata'>;

/** 0 namespaces, 1 CRDs, 2 everything else. */
export function tierOf(r: Ordered): number {
  const group = apiGroup(r.apiVersion);
  if (r.kind === 'Namespace' && group === '') return 0;
  if (r.kind === 'CustomResourceDefinition' && group === 'apiextensions.k8s.io') return 1;
  return 2;
}

export function waveOf(r: Ordered): number {
  const raw = r.metadata.annotations?.[ANNOTATION_WAVE];
  if (raw === undefined) return 0;
  const n = Number(raw.trim());
  if (!Number.isInteger(n)) {
    throw new ValidationError('KUBE_BAD_WAVE', `sync wave "${raw}" is not an integer`, {
      resource: resourceRef(r),
      field: `metadata.annotations["${ANNOTATION_WAVE}"]`,
      hint: 'Use a whole number such as "-1", "0" or "5"; lower waves are applied first.',
    });
  }
  return n;
}

function kindOrder(r: Ordered): number {
  // Kinds Helm does not know (custom resources) go after the built-in ones.
  return kindRank.get(r.kind) ?? KIND_ORDER.length;
}

function compare(a: Ordered, b: Ordered): number {
  return (
    tierOf(a) - tierOf(b) ||
    waveOf(a) - waveOf(b) ||
    kindOrder(a) - kindOrder(b) ||
    a.kind.localeCompare(b.kind) ||
    (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
    a.metadata.name.localeCompare(b.metadata.name)
  );
}

export function sortForApply<T extends Ordered>(items: readonly T[]): T[] {
  return [...items].sort(compare);
}

export function sortForPrune<T extends Ordered>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compare(b, a));
}

/**
 * Consecutive groups that may be applied concurrently: one per (tier, wave). Kind order
 * inside a group is kept for the start order only; Kubernetes resolves references between
 * kinds eventually, but not a missing namespace or type, nor a later wave.
 */
export function applyGroups<T>(items: readonly T[], of: (item: T) => Ordered = (x) => x as unknown as Ordered): T[][] {
  const groups: T[][] = [];
  let lastKey = '';
  for (const item of [...items].sort((a, b) => compare(of(a), of(b)))) {
    const r = of(item);
    const key = `${tierOf(r)}/${waveOf(r)}`;
    if (key !== lastKey || groups.length === 0) groups.push([]);
    groups[groups.length - 1]!.push(item);
    lastKey = key;
  }
  return groups;
}
