import type { Resource } from '../../model/resource.js';
import type { ProviderLog } from '../types.js';
import type { KubeClient } from './client.js';
import { resourcePath, type Discovery, type ResourceInfo } from './discovery.js';
import { splitGroupKind } from './applyset.js';
import { LABEL_APPLYSET_PART_OF, LABEL_MANAGED_BY, MANAGED_BY_VALUE } from './labels.js';
import { WatchCache, type CacheListener } from './watch-cache.js';

/**
 * One watch cache per group-kind Sluice has applied, across all namespaces, limited by label
 * to objects in a Sluice applyset. Started on first use and kept for the provider's life.
 */

const SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY_VALUE},${LABEL_APPLYSET_PART_OF}`;

export function gkOf(info: Pick<ResourceInfo, 'kind' | 'group'>): string {
  return info.group ? `${info.kind}.${info.group}` : info.kind;
}

export class LiveState {
  private readonly caches = new Map<string, Promise<WatchCache>>();
  /** Rises with every change in any cache, and with every cache started or dropped. */
  private changes = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly discovery: Discovery,
    private readonly log: ProviderLog,
    private readonly listener: (gk: string) => CacheListener,
  ) {}

  cacheFor(info: ResourceInfo): Promise<WatchCache> {
    const gk = gkOf(info);
    let p = this.caches.get(gk);
    if (!p) {
      const cache = new WatchCache(
        this.client,
        resourcePath(info),
        SELECTOR,
        this.log,
        { apiVersion: info.group ? `${info.group}/${info.version}` : info.version, kind: info.kind },
        LABEL_APPLYSET_PART_OF,
      );
      cache.on(this.listener(gk));
      cache.on(() => this.changes++);
      this.changes++;
      p = cache.ready.then(
        () => {
          this.changes++;
          return cache;
        },
        (e: unknown) => {
          cache.stop();
          this.caches.delete(gk);
          this.changes++;
          throw e;
        },
      );
      this.caches.set(gk, p);
    }
    return p;
  }

  /** Equal at two moments when no cache changed between them. */
  get version(): number {
    return this.changes;
  }

  /** Members of one applyset among the given group-kinds; kinds no longer served are skipped. */
  async members(applyset: string, groupKinds: Iterable<string>): Promise<Resource[]> {
    const out: Resource[] = [];
    for (const gk of new Set(groupKinds)) {
      const { group, kind } = splitGroupKind(gk);
      const info = await this.discovery.resolveGroupKind(group, kind);
      if (!info) continue;
      const cache = await this.cacheFor(info);
      out.push(...cache.byLabel(applyset));
    }
    return out;
  }

  /** Live objects by resourceKey among those in the given applyset (shared objects a scope applied). */
  async byKeys(applyset: string, keys: Iterable<string>): Promise<Resource[]> {
    const out: Resource[] = [];
    for (const key of keys) {
      const parts = key.split('/');
      const { group, kind } = splitGroupKind(parts[0]!);
      const info = await this.discovery.resolveGroupKind(group, kind);
      if (!info) continue;
      const obj = (await this.cacheFor(info)).get(parts.length === 3 ? parts[1] : undefined, parts[parts.length - 1]!);
      if (obj?.metadata.labels?.[LABEL_APPLYSET_PART_OF] === applyset) out.push(obj);
    }
    return out;
  }

  stop(): void {
    for (const p of this.caches.values())
      p.then(
        (c) => c.stop(),
        () => undefined,
      );
    this.caches.clear();
    this.changes++;
  }
}
