import type { Gvk } from './gvk.js';

/** kustomize's legacy output order: these kinds first, in this order, webhooks last. */
const ORDER_FIRST = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

const TYPE_ORDER = new Map<string, number>();
ORDER_FIRST.forEach((k, i) => TYPE_ORDER.set(k, -ORDER_FIRST.length + i));
ORDER_LAST.forEach((k, i) => TYPE_ORDER.set(k, 1 + i));

function stableSortString(g: Gvk): string {
  return `${g.group || '~G'}_${g.version || '~V'}_${g.kind || '~K'}`;
}

export function gvkLess(a: Gvk, b: Gvk): boolean {
  const ia = TYPE_ORDER.get(a.kind) ?? 0;
  const ib = TYPE_ORDER.get(b.kind) ?? 0;
  if (ia !== ib) return ia < ib;
  return stableSortString(a) < stableSortString(b);
}
