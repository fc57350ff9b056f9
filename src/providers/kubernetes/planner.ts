import type { Resource } from '../../model/resource.js';
import { resourceKey } from '../../model/resource.js';
import type { Change, Plan } from '../../plan/types.js';
import { summarize } from '../../plan/types.js';
import type { PlanOptions, Scope } from '../types.js';
import { ConflictError, getObject, serverSideApply } from './apply.js';
import { change, deletionDiff, diffFor, localCreateDiff } from './change.js';
import { mapLimit } from './concurrency.js';
import { outOfSync, ownedFields } from './managed-fields.js';
import { sortForApply } from './order.js';
import { prunable } from './prune.js';
import { prepare, type Item } from './prepare.js';
import { liveOf } from './live-lookup.js';
import { describeConflict, forgetIfUnserved, onlyEdits } from './conflicts.js';
import type { Runtime } from './runtime.js';
import { dryRunInStandIn } from './stand-in-dry-run.js';

/**
 * Desired vs live without changing anything. Objects whose owned fields already match the
 * watch cache are unchanged without a request; the rest go through a server-side dry-run
 * apply, so the diff shows what the API server would really store (defaults, webhooks,
 * validation) and a conflict shows up before a sync hits it.
 */

/** A dry-run create is not stored, so it has no resource version; a dry-run update keeps the stored one. */
function existed(dryRun: Resource): boolean {
  return Boolean(dryRun.metadata.resourceVersion);
}

async function planItem(rt: Runtime, item: Item, pendingNamespaces: Set<string>, force: boolean): Promise<Change> {
  let live = await liveOf(rt, item);
  const ns = item.desired.metadata.namespace;
  if (!item.info || (!live && ns && pendingNamespaces.has(ns))) {
    if (item.info) await dryRunInStandIn(rt.client, item.info, item.desired);
    return change(
      'create',
      item.key,
      item.desired,
      item.info ? `namespace ${ns} is created first` : 'its CRD is created first',
      localCreateDiff(item.desired),
    );
  }
  const why = live ? outOfSync(item.desired, live, ownedFields(live)) : 'not in the cluster';
  if (live && !why) return change('unchanged', item.key, item.desired);
  let result: Resource;
  let reason = why!;
  let conflict: ConflictError | undefined;
  try {
    result = await serverSideApply(rt.client, item.info, item.desired, { dryRun: true, force });
  } catch (e) {
    forgetIfUnserved(rt, item, e);
    if (!(e instanceof ConflictError)) throw e;
    conflict = e;
    result = await serverSideApply(rt.client, item.info, item.desired, { dryRun: true, force: true });
  }
  // Not in the watch cache: absent, or there already without Sluice's labels (adoption). The
  // dry run tells which without a read first (a first sync would pay one per object): only an
  // object the server already stores comes back with a resource version.
  const adopting =
    !live && existed(result) && (live = await getObject(rt.client, item.info, item.desired)) !== undefined;
  if (adopting) reason = 'adopts an object Sluice did not create';
  if (conflict) {
    const taken = rt.options.overrideEdits && onlyEdits(conflict, live);
    const what = taken
      ? `takes back ${describeConflict(conflict)}`
      : `conflict: ${describeConflict(conflict)}; a sync needs force`;
    reason = adopting ? `${reason}; ${what}` : what;
  }
  const diff = diffFor(live, result);
  if (live && !diff) return change('unchanged', item.key, item.desired);
  return change(live ? 'update' : 'create', item.key, item.desired, reason, diff);
}

export async function planScope(
  rt: Runtime,
  scope: Scope,
  desired: readonly Resource[],
  options: PlanOptions & { force?: boolean },
): Promise<Plan> {
  const items = await prepare(rt, scope, sortForApply(desired), 'plan');
  const pendingNamespaces = new Set<string>();
  for (const it of items) {
    if (it.gk === 'Namespace' && !(await liveOf(rt, it))) {
      // A namespace that is neither desired-and-live nor already there cannot take dry-runs.
      const existing = await rt.client
        .request('GET', `/api/v1/namespaces/${encodeURIComponent(it.desired.metadata.name)}`)
        .then(
          () => true,
          () => false,
        );
      if (!existing) pendingNamespaces.add(it.desired.metadata.name);
    }
  }
  const force = options.force ?? rt.options.force;
  const changes = await mapLimit(items, rt.options.concurrency, (it) => planItem(rt, it, pendingNamespaces, force));
  if (options.prune)
    changes.push(...(await prunePlan(rt, scope, new Set(items.map((i) => i.key)), options.declaredElsewhere)));
  return { changes, summary: summarize(changes) };
}

async function prunePlan(
  rt: Runtime,
  scope: Scope,
  desiredKeys: Set<string>,
  elsewhere: PlanOptions['declaredElsewhere'],
): Promise<Change[]> {
  return (await prunable(rt, scope, desiredKeys, [], elsewhere)).map((m) =>
    change('delete', resourceKey(m), m, 'not in Git any more', deletionDiff(m)),
  );
}
