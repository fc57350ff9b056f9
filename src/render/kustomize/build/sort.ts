import { RenderError } from '../../../errors/index.js';
import { isObject, type JsonValue } from '../model/json.js';
import { gvkEquals, gvkString, type ResId } from '../resource/gvk.js';
import type { Resource } from '../resource/resource.js';

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

/** `sortOptions` (legacy with optional custom kind order, or fifo); legacy is the default. */
export function sortResources(list: Resource[], sortOptions: JsonValue | undefined, file: string): Resource[] {
  let first = ORDER_FIRST;
  let last = ORDER_LAST;
  if (sortOptions !== undefined && sortOptions !== null) {
    if (!isObject(sortOptions))
      throw new RenderError('KUSTOMIZE_INVALID', `${file}: sortOptions must be a map`, { file });
    const order = sortOptions['order'];
    const legacy = sortOptions['legacySortOptions'];
    if (order === 'fifo') {
      if (legacy !== undefined && legacy !== null) {
        throw new RenderError(
          'KUSTOMIZE_INVALID',
          `${file}: the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'`,
          { file },
        );
      }
      return list;
    }
    if (order !== 'legacy')
      throw new RenderError('KUSTOMIZE_INVALID', `${file}: sortOptions.order must be legacy or fifo`, { file });
    if (isObject(legacy)) {
      const strs = (v: JsonValue | undefined) => (Array.isArray(v) ? v.map(String) : []);
      first = strs(legacy['orderFirst']);
      last = strs(legacy['orderLast']);
    }
  }
  const rank = new Map<string, number>();
  first.forEach((k, i) => rank.set(k, -first.length + i));
  last.forEach((k, i) => rank.set(k, 1 + i));
  const keyed = list.map((r) => ({ r, id: r.curId() }));
  keyed.sort((a, b) => (less(a.id, b.id, rank) ? -1 : less(b.id, a.id, rank) ? 1 : 0));
  return keyed.map((x) => x.r);
}

function gvkSortString(g: ResId['gvk']): string {
  return `${g.group || '~G'}_${g.version || '~V'}_${g.kind || '~K'}`;
}

function less(a: ResId, b: ResId, rank: Map<string, number>): boolean {
  if (!gvkEquals(a.gvk, b.gvk)) {
    const ia = rank.get(a.gvk.kind) ?? 0;
    const ib = rank.get(b.gvk.kind) ?? 0;
    if (ia !== ib) return ia < ib;
    if (a.gvk.kind === 'Namespace' && b.gvk.kind === 'Namespace' && (a.gvk.group === '' || b.gvk.group === '')) {
      return gvkSortString(a.gvk) > gvkSortString(b.gvk);
    }
    return gvkSortString(a.gvk) < gvkSortString(b.gvk);
  }
  return idSortString(a) < idSortString(b);
}

function idSortString(id: ResId): string {
  return `${gvkString(id.gvk)}|${id.namespace || '~X'}|${id.name || '~N'}`;
}
