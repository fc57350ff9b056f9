import type { Resource } from '../../model/resource.js';
import { ProviderError } from '../../errors/index.js';
import type { ConflictError } from './apply.js';
import { managerOperations } from './managed-fields.js';
import type { Item } from './prepare.js';
import type { Runtime } from './runtime.js';

/** Deciding what to do when the API server refuses an apply. */

/** Whether every conflicting manager is an imperative edit (an Update), which Sluice takes back by default. */
export function onlyEdits(conflict: ConflictError, live: Resource | undefined): boolean {
  if (!live) return false;
  const ops = managerOperations(live);
  return conflict.conflicts.every((c) => ops.get(c.manager) === 'Update');
}

export function describeConflict(c: ConflictError): string {
  return c.conflicts.map((x) => `${x.field} (held by "${x.manager}")`).join(', ');
}

/** Discovery said the kind was served and the server disagrees: drop what discovery remembers. */
export function forgetIfUnserved(rt: Runtime, item: Item, e: unknown): void {
  if (e instanceof ProviderError && e.code === 'KUBE_UNKNOWN_KIND' && item.info) rt.discovery.forget(item.info.group);
}
