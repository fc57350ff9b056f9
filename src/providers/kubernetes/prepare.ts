import type { Resource } from '../../model/resource.js';
import { apiGroup, resourceKey, resourceRef } from '../../model/resource.js';
import { ProviderError, ValidationError } from '../../errors/index.js';
import type { Scope } from '../types.js';
import type { ResourceInfo } from './discovery.js';
import { groupKindOf } from './applyset.js';
import { waveOf } from './order.js';
import { stamp } from './stamp.js';
import type { Runtime } from './runtime.js';

/**
 * Desired objects made ready to apply: stamped, matched to an API resource, namespaced
 * where their kind is. Everything that can be found wrong without writing is found here,
 * before the first request that changes anything.
 */

export interface Item {
  desired: Resource;
  key: string;
  gk: string;
  /** Undefined for a custom resource whose CRD is in the same sync and not yet served. */
  info: ResourceInfo | undefined;
}

interface CrdShape {
  spec?: { group?: string; names?: { kind?: string }; scope?: string };
}

function crdsIn(desired: readonly Resource[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const r of desired) {
    if (r.kind !== 'CustomResourceDefinition' || apiGroup(r.apiVersion) !== 'apiextensions.k8s.io') continue;
    const spec = (r as CrdShape).spec;
    if (spec?.group && spec.names?.kind) out.set(`${spec.names.kind}.${spec.group}`, spec.scope !== 'Cluster');
  }
  return out;
}

export async function prepare(
  rt: Runtime,
  scope: Scope,
  desired: readonly Resource[],
  revision: string,
): Promise<Item[]> {
  const applyset = rt.inventory.id(scope);
  const pendingKinds = crdsIn(desired);
  const seen = new Set<string>();
  const items: Item[] = [];
  for (const r of desired) {
    waveOf(r); // validates the annotation up front
    const info = await rt.discovery.resolve(r.apiVersion, r.kind);
    const gk = groupKindOf(r);
    let namespaced: boolean;
    if (info) namespaced = info.namespaced;
    else if (pendingKinds.has(gk)) namespaced = pendingKinds.get(gk)!;
    else {
      throw new ProviderError('KUBE_UNKNOWN_KIND', `the cluster does not serve ${r.kind} in ${r.apiVersion}`, {
        resource: resourceRef(r),
        hint: 'Check apiVersion and kind, or add the CustomResourceDefinition that defines it to the app.',
      });
    }
    const obj = stamp(r, scope, applyset, revision, namespaced ? rt.options.defaultNamespace : undefined);
    if (!namespaced) delete obj.metadata.namespace;
    const key = resourceKey(obj);
    if (seen.has(key)) {
      throw new ValidationError('KUBE_DUPLICATE', `${resourceRef(obj)} is rendered twice`, {
        resource: resourceRef(obj),
        hint: 'Each object may appear once per app and environment.',
      });
    }
    seen.add(key);
    items.push({ desired: obj, key, gk, info });
  }
  return items;
}
