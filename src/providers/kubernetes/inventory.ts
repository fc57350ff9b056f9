import type { Resource } from '../../model/resource.js';
import type { Scope } from '../types.js';
import type { KubeClient } from './client.js';
import { applysetId, formatList, parentFor, parseList, type ParentRef } from './applyset.js';
import { serverSideApply } from './apply.js';
import type { ResourceInfo } from './discovery.js';
import {
  ANNOTATION_APPLYSET_GROUP_KINDS,
  ANNOTATION_APPLYSET_NAMESPACES,
  ANNOTATION_APPLYSET_TOOLING,
  APPLYSET_TOOLING,
  LABEL_APP,
  LABEL_APPLYSET_ID,
  LABEL_ENV,
  LABEL_INVENTORY,
  LABEL_PROJECT,
} from './labels.js';
import type { WatchCache } from './watch-cache.js';

/**
 * The applyset parent of each scope: a ConfigMap in the inventory namespace recording which
 * group-kinds and namespaces hold members. It is widened before an apply (so a crash
 * mid-sync never leaves members nobody lists) and narrowed after pruning.
 */

export interface InventoryState {
  groupKinds: string[];
  namespaces: string[];
  /** resourceKey() of each object the latest sync applies: health reports it Missing when absent, even after a restart. */
  applied: string[];
}

function formatKeys(keys: Iterable<string>): string {
  return [...new Set(keys)].sort().join('\n');
}

/** Parent data key listing what the latest sync applies, one resource key per line. */
const DATA_APPLIED = 'applied';

export const CONFIGMAP_INFO: ResourceInfo = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
};
const NAMESPACE_INFO: ResourceInfo = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
};

export class Inventory {
  private namespaceReady: Promise<unknown> | undefined;

  constructor(
    private readonly client: KubeClient,
    readonly namespace: string,
    /** Mirror of the parents (label sluice.dev/inventory) in the inventory namespace. */
    private readonly parents: WatchCache,
  ) {}

  parent(scope: Scope): ParentRef {
    return parentFor(scope, this.namespace);
  }

  id(scope: Scope): string {
    return applysetId(this.parent(scope));
  }

  read(scope: Scope): InventoryState | undefined {
    const obj = this.parents.get(this.namespace, this.parent(scope).name);
    if (!obj) return undefined;
    const a = obj.metadata.annotations ?? {};
    const applied = (obj.data as Record<string, string> | undefined)?.[DATA_APPLIED] ?? '';
    return {
      groupKinds: parseList(a[ANNOTATION_APPLYSET_GROUP_KINDS]),
      namespaces: parseList(a[ANNOTATION_APPLYSET_NAMESPACES]),
      applied: applied ? applied.split('\n') : [],
    };
  }

  scopes(): Scope[] {
    const out: Scope[] = [];
    for (const obj of this.parents.values()) {
      const l = obj.metadata.labels ?? {};
      if (l[LABEL_PROJECT] && l[LABEL_APP] && l[LABEL_ENV])
        out.push({ project: l[LABEL_PROJECT], app: l[LABEL_APP], env: l[LABEL_ENV] });
    }
    return out;
  }

  /** Writes the parent unless it already records exactly this state. */
  async write(scope: Scope, state: InventoryState, signal?: AbortSignal): Promise<void> {
    const current = this.read(scope);
    const groupKinds = formatList(state.groupKinds);
    const namespaces = formatList(state.namespaces.filter((n) => n !== this.namespace));
    const applied = formatKeys(state.applied);
    if (
      current &&
      formatList(current.groupKinds) === groupKinds &&
      formatList(current.namespaces) === namespaces &&
      formatKeys(current.applied) === applied
    )
      return;
    await this.ensureNamespace(signal);
    const ref = this.parent(scope);
    const body: Resource = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: ref.name,
        namespace: ref.namespace,
        labels: {
          [LABEL_APPLYSET_ID]: applysetId(ref),
          [LABEL_INVENTORY]: 'true',
          [LABEL_PROJECT]: scope.project,
          [LABEL_APP]: scope.app,
          [LABEL_ENV]: scope.env,
        },
        annotations: {
          [ANNOTATION_APPLYSET_TOOLING]: APPLYSET_TOOLING,
          [ANNOTATION_APPLYSET_GROUP_KINDS]: groupKinds,
          [ANNOTATION_APPLYSET_NAMESPACES]: namespaces,
        },
      },
      data: { [DATA_APPLIED]: applied },
    };
    this.parents.put(await serverSideApply(this.client, CONFIGMAP_INFO, body, { force: true, signal }));
  }

  async remove(scope: Scope): Promise<void> {
    const ref = this.parent(scope);
    try {
      await this.client.request(
        'DELETE',
        `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/configmaps/${encodeURIComponent(ref.name)}`,
      );
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    }
    this.parents.remove(ref.namespace, ref.name);
  }

  private ensureNamespace(signal?: AbortSignal): Promise<unknown> {
    this.namespaceReady ??= serverSideApply(
      this.client,
      NAMESPACE_INFO,
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.namespace } },
      { signal },
    ).catch((e: unknown) => {
      this.namespaceReady = undefined;
      throw e;
    });
    return this.namespaceReady;
  }
}
