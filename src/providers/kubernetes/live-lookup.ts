import type { Resource } from '../../model/resource.js';
import type { Item } from './prepare.js';
import type { Runtime } from './runtime.js';

/** The live object of a prepared item from the watch cache (undefined when absent or not yet typed). */
export async function liveOf(rt: Runtime, item: Item): Promise<Resource | undefined> {
  if (!item.info) return undefined;
  const cache = await rt.live.cacheFor(item.info);
  return cache.get(item.desired.metadata.namespace, item.desired.metadata.name);
}
