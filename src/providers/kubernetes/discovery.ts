import type { KubeClient } from './client.js';
import { KubeApiError } from './client.js';

/**
 * Which REST resource serves an apiVersion + kind, and whether it is namespaced. Answers are
 * cached per group-version; a miss re-reads that group-version once, because a CRD applied
 * a moment ago becomes servable without Sluice restarting.
 */

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

interface APIResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

export function groupVersionPath(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

/** Collection or object path; `namespace` is ignored for cluster-scoped resources. */
export function resourcePath(info: ResourceInfo, namespace?: string, name?: string): string {
  let p = groupVersionPath(info.group, info.version);
  if (info.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${info.plural}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  return p;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export class Discovery {
  private readonly byGroupVersion = new Map<string, Promise<Map<string, ResourceInfo> | undefined>>();
  private readonly preferred = new Map<string, Promise<string | undefined>>();

  constructor(private readonly client: KubeClient) {}

  private load(group: string, version: string): Promise<Map<string, ResourceInfo> | undefined> {
    const key = `${group}/${version}`;
    let p = this.byGroupVersion.get(key);
    if (!p) {
      p = this.client
        .request<{ resources?: APIResource[] }>('GET', groupVersionPath(group, version))
        .then((list) => {
          const m = new Map<string, ResourceInfo>();
          for (const r of list.resources ?? []) {
            if (r.name.includes('/')) continue; // subresources
            m.set(r.kind, { group, version, kind: r.kind, plural: r.name, namespaced: r.namespaced });
          }
          return m;
        })
        .catch((e: unknown) => {
          this.byGroupVersion.delete(key);
          if (e instanceof KubeApiError && e.statusCode === 404) return undefined;
          throw e;
        });
      this.byGroupVersion.set(key, p);
    }
    return p;
  }

  /** undefined when the server does not serve that kind (yet). */
  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const { group, version } = splitApiVersion(apiVersion);
    const found = (await this.load(group, version))?.get(kind);
    if (found) return found;
    this.forget(group);
    return (await this.load(group, version))?.get(kind);
  }

  /** For group-kinds recorded without a version (an inventory), the server's preferred version. */
  async resolveGroupKind(group: string, kind: string): Promise<ResourceInfo | undefined> {
    if (group === '') return this.resolve('v1', kind);
    let p = this.preferred.get(group);
    if (!p) {
      p = this.client
        .request<{ preferredVersion?: { version?: string } }>('GET', `/apis/${group}`)
        .then((g) => g.preferredVersion?.version)
        .catch((e: unknown) => {
          this.preferred.delete(group);
          if (e instanceof KubeApiError && e.statusCode === 404) return undefined;
          throw e;
        });
      this.preferred.set(group, p);
    }
    const version = await p;
    return version ? this.resolve(`${group}/${version}`, kind) : undefined;
  }

  /** Drops what is known about a group, e.g. after its CRD changed. */
  forget(group: string): void {
    for (const key of [...this.byGroupVersion.keys()]) if (key.startsWith(`${group}/`)) this.byGroupVersion.delete(key);
    this.preferred.delete(group);
  }
}
