import type { Resource } from '../../model/resource.js';
import { resourceKey, resourceRef } from '../../model/resource.js';
import type { Change } from '../../plan/types.js';
import type { DeclaredElsewhere, Scope } from '../types.js';
import { SHARED_APPLYSET } from './labels.js';
import { declaredElsewhere } from './shared.js';
import { deleteObject } from './apply.js';
import { groupKindOf, splitGroupKind } from './applyset.js';
import { change, deletionDiff } from './change.js';
import { mapLimit } from './concurrency.js';
import { applyGroups, sortForPrune } from './order.js';
import { checkAborted, OwnWrites, type Runtime } from './runtime.js';

/**
 * Pruning: members of the scope's applyset that Git no longer has. Only objects labelled
 * with this applyset's id are candidates, whatever other labels they share, and never one
 * another scope on the cluster still declares (it may have been this scope's, applied last).
 * Shared objects this scope applied go once no scope declares them any more, and only when
 * what every other scope declares is known.
 */

export async function prunable(
  rt: Runtime,
  scope: Scope,
  desiredKeys: ReadonlySet<string>,
  desiredGroupKinds: Iterable<string> = [],
  elsewhere?: DeclaredElsewhere,
  /** What the scope applied before this sync, when the inventory already lists the new desired state. */
  appliedBefore?: readonly string[],
): Promise<Resource[]> {
  const inv = rt.inventory.read(scope);
  const members = await rt.live.members(rt.inventory.id(scope), [...(inv?.groupKinds ?? []), ...desiredGroupKinds]);
  const applied = appliedBefore ?? inv?.applied ?? [];
  const shared = elsewhere?.complete ? await rt.live.byKeys(SHARED_APPLYSET, applied) : [];
  return sortForPrune(
    [...members, ...shared].filter(
      (m) =>
        !desiredKeys.has(resourceKey(m)) &&
        !m.metadata.deletionTimestamp &&
        !declaredElsewhere(m, elsewhere, rt.options.defaultNamespace),
    ),
  );
}

/** Deletes in reverse apply order, one group at a time: custom resources before their CRDs, namespaces last. */
export async function deleteMembers(
  rt: Runtime,
  objs: readonly Resource[],
  options: { signal?: AbortSignal; onProgress?: (m: string) => void } = {},
): Promise<Change[]> {
  const changes: Change[] = [];
  for (const group of applyGroups(objs).reverse()) {
    await mapLimit(group, rt.options.concurrency, async (obj) => {
      checkAborted(options.signal);
      const gk = groupKindOf(obj);
      const { group: g, kind } = splitGroupKind(gk);
      const info = await rt.discovery.resolveGroupKind(g, kind);
      if (!info) return; // its type is gone, and with it the object
      options.onProgress?.(`pruning ${resourceRef(obj)}`);
      await rt.writes.around(OwnWrites.key(gk, obj.metadata.namespace, obj.metadata.name), () =>
        deleteObject(rt.client, info, obj, { signal: options.signal }),
      );
      (await rt.live.cacheFor(info)).remove(obj.metadata.namespace, obj.metadata.name);
      // A deleted CRD takes its kinds with it; discovery must not keep serving them from memory.
      const crdGroup =
        gk === 'CustomResourceDefinition.apiextensions.k8s.io'
          ? (obj.spec as { group?: string } | undefined)?.group
          : undefined;
      if (crdGroup) rt.discovery.forget(crdGroup);
      changes.push(change('delete', resourceKey(obj), obj, 'not in Git any more', deletionDiff(obj)));
    });
  }
  return changes;
}
