import type { Resource } from '../../model/resource.js';
import { resourceRef } from '../../model/resource.js';
import { ProviderError } from '../../errors/index.js';
import type { Change, Plan } from '../../plan/types.js';
import { summarize } from '../../plan/types.js';
import type { ApplyOptions, Scope } from '../types.js';
import { ConflictError, getObject, serverSideApply } from './apply.js';
import { change, diffFor } from './change.js';
import { mapLimit } from './concurrency.js';
import { managerOperations, outOfSync, ownedFields } from './managed-fields.js';
import { FIELD_MANAGER } from './labels.js';
import { applyGroups, tierOf, waveOf } from './order.js';
import { waitForWave } from './waves.js';
import { forgetIfUnserved, onlyEdits } from './conflicts.js';
import { deleteMembers, prunable } from './prune.js';
import { prepare, type Item } from './prepare.js';
import { liveOf } from './live-lookup.js';
import { groupKindOf } from './applyset.js';
import { checkAborted, OwnWrites, type Runtime } from './runtime.js';

/**
 * One sync of one scope: widen the inventory, apply group by group (namespaces, CRDs,
 * waves), prune what the inventory holds and Git no longer has, narrow the inventory.
 */

const CRD_ESTABLISH_MS = 60_000;

function namespacesOf(objs: Iterable<Resource>): string[] {
  const out = new Set<string>();
  for (const o of objs) if (o.metadata.namespace) out.add(o.metadata.namespace);
  return [...out];
}

async function applyItem(rt: Runtime, item: Item, options: ApplyOptions): Promise<Change> {
  checkAborted(options.signal);
  if (!item.info) item.info = await rt.discovery.resolve(item.desired.apiVersion, item.desired.kind);
  const info = item.info;
  if (!info) {
    throw new ProviderError(
      'KUBE_UNKNOWN_KIND',
      `the cluster does not serve ${item.desired.kind} in ${item.desired.apiVersion} even after its CRD was applied`,
      {
        resource: resourceRef(item.desired),
        hint: 'Check that the CRD serves this version and kind.',
      },
    );
  }
  const live = await liveOf(rt, item);
  const why = live ? outOfSync(item.desired, live, ownedFields(live)) : 'not in the cluster';
  if (live && !why) return change('unchanged', item.key, item.desired);
  const cache = await rt.live.cacheFor(info);
  const force = options.force ?? rt.options.force;
  let reason = why!;
  const result = await rt.writes.around(
    OwnWrites.key(item.gk, item.desired.metadata.namespace, item.desired.metadata.name),
    async () => {
      try {
        return await serverSideApply(rt.client, info, item.desired, { force, signal: options.signal });
      } catch (e) {
        forgetIfUnserved(rt, item, e);
        if (!(e instanceof ConflictError) || !rt.options.overrideEdits) throw e;
        // Not cached means not Sluice's yet: read who holds the fields before taking them.
        if (!onlyEdits(e, live ?? (await getObject(rt.client, info, item.desired)))) throw e;
        reason = `took back ${e.conflicts.map((c) => `${c.field} from "${c.manager}"`).join(', ')}`;
        return serverSideApply(rt.client, info, item.desired, { force: true, signal: options.signal });
      }
    },
    (r) => r.metadata.resourceVersion,
  );
  cache.put(result);
  // A create's diff is the whole object, already shown by the plan; printing it again for
  // every object of a first sync costs more than the sync's own bookkeeping.
  if (live) return change('update', item.key, item.desired, reason, diffFor(live, result));
  // Absent from the cache yet written by others before: an object Sluice has just adopted.
  const others = managerOperations(result);
  others.delete(FIELD_MANAGER);
  if (others.size)
    return change(
      'update',
      item.key,
      item.desired,
      `adopted from ${[...others.keys()].map((m) => `"${m}"`).join(', ')}`,
    );
  return change('create', item.key, item.desired, 'created');
}

/** CRs can be applied once the API server serves their type: wait for Established. */
async function waitEstablished(rt: Runtime, crds: Item[], signal: AbortSignal | undefined): Promise<void> {
  const deadline = Date.now() + CRD_ESTABLISH_MS;
  for (const item of crds) {
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(item.desired.metadata.name)}`;
    for (;;) {
      checkAborted(signal);
      const crd = await rt.client.request<{
        status?: { conditions?: { type: string; status: string }[] };
        spec?: { group?: string };
      }>('GET', path);
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) {
        if (crd.spec?.group) rt.discovery.forget(crd.spec.group);
        break;
      }
      if (Date.now() > deadline) {
        throw new ProviderError(
          'KUBE_CRD_TIMEOUT',
          `CRD ${item.desired.metadata.name} was not established within ${CRD_ESTABLISH_MS / 1000}s`,
          {
            resource: resourceRef(item.desired),
            hint: 'Check the CRD status conditions (kubectl describe crd) for NamesAccepted problems.',
          },
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function syncScope(
  rt: Runtime,
  scope: Scope,
  desired: readonly Resource[],
  options: ApplyOptions,
): Promise<Plan> {
  const items = await prepare(rt, scope, desired, options.revision);
  const before = rt.inventory.read(scope);
  const desiredGks = items.map((i) => i.gk);
  const desiredNs = namespacesOf(items.map((i) => i.desired));
  checkAborted(options.signal);
  await rt.inventory.write(
    scope,
    {
      groupKinds: [...(before?.groupKinds ?? []), ...desiredGks],
      namespaces: [...(before?.namespaces ?? []), ...desiredNs],
      applied: items.map((i) => i.key),
    },
    options.signal,
  );

  const changes: Change[] = [];
  let done = 0;
  const groups = applyGroups(items, (i) => i.desired);
  for (const [g, group] of groups.entries()) {
    const results = await mapLimit(group, rt.options.concurrency, async (item) => {
      const c = await applyItem(rt, item, options);
      done++;
      if (c.action !== 'unchanged')
        options.onProgress?.(
          `${c.action === 'create' ? 'created' : 'updated'} ${resourceRef(item.desired)} (${done}/${items.length})`,
        );
      return c;
    });
    changes.push(...results);
    const crds = group.filter((i) => tierOf(i.desired) === 1);
    if (crds.length) await waitEstablished(rt, crds, options.signal);
    const next = groups[g + 1];
    if (next && tierOf(group[0]!.desired) === 2 && rt.options.waveTimeoutMs > 0) {
      await waitForWave(waveOf(group[0]!.desired), {
        live: () => Promise.all(group.map((i) => liveOf(rt, i))),
        checks: rt.options.healthChecks,
        timeoutMs: rt.options.waveTimeoutMs,
        signal: options.signal,
        onProgress: options.onProgress,
      });
    }
  }

  const victims = await prunable(
    rt,
    scope,
    new Set(items.map((i) => i.key)),
    desiredGks,
    options.declaredElsewhere,
    before?.applied,
  );
  const kept = options.prune ? [] : victims;
  if (options.prune) changes.push(...(await deleteMembers(rt, victims, options)));
  // What pruning left (all of it when pruning is off) is still a member the parent must list.
  await rt.inventory.write(
    scope,
    {
      groupKinds: [...desiredGks, ...kept.map(groupKindOf)],
      namespaces: [...desiredNs, ...namespacesOf(kept)],
      applied: items.map((i) => i.key),
    },
    options.signal,
  );
  return { changes, summary: summarize(changes) };
}
