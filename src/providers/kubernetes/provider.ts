import { randomUUID } from 'node:crypto';
import type { Resource } from '../../model/resource.js';
import { resourceKey } from '../../model/resource.js';
import { ProviderError } from '../../errors/index.js';
import type { LiveResource, Plan, ResourceHealth } from '../../plan/types.js';
import type {
  ApplyOptions,
  DeclaredElsewhere,
  PlanOptions,
  Provider,
  ProviderContext,
  ProviderEvent,
  Scope,
} from '../types.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { connectionFingerprint, filesStamp, KubeClient } from './client.js';
import { Discovery } from './discovery.js';
import { detectDrift, scopeOfObject } from './drift.js';
import { CONFIGMAP_INFO, Inventory } from './inventory.js';
import { LABEL_INVENTORY, SHARED_APPLYSET } from './labels.js';
import { LiveState } from './live-state.js';
import { resolveOptions, type KubernetesProviderOptions, type ResolvedOptions } from './options.js';
import { planScope } from './planner.js';
import { deleteMembers, prunable } from './prune.js';
import { healthTransition, scopeHealth } from './scope-health.js';
import { syncScope } from './sync.js';
import { resourcePath } from './discovery.js';
import { splitGroupKind } from './applyset.js';
import { OwnWrites, type Runtime } from './runtime.js';
import { Reachability } from './reachability.js';
import { WatchCache } from './watch-cache.js';

/** Kubernetes through server-side apply, an applyset inventory and watch caches. */
export class KubernetesProvider implements Provider {
  readonly kind = 'kubernetes';
  private rt: Runtime | undefined;
  private parents: WatchCache | undefined;
  private reachability: Reachability | undefined;
  /** Tells this provider's stamps from those of the one it replaced (a changed kubeconfig). */
  private readonly stampId = randomUUID();
  private readonly listeners = new Set<(e: ProviderEvent) => void>();
  private readonly options: ResolvedOptions;

  private readonly fingerprint: string;
  private filesSeen: string;

  constructor(
    private readonly kc: KubeConfig,
    private readonly ctx: ProviderContext,
    options: KubernetesProviderOptions = {},
    /** Where the credentials come from, to read them again after a 401 or an edit of the files. */
    private readonly source?: { files: string[]; load: () => KubeConfig },
  ) {
    this.options = resolveOptions(options, kc.getContextObject(kc.getCurrentContext())?.namespace);
    this.fingerprint = connectionFingerprint(kc);
    this.filesSeen = filesStamp(source?.files ?? []);
  }

  /**
   * Whether the kubeconfig now says something else about where and as whom to connect (a
   * server, CA, client certificate or exec plugin edited in place): such a provider must be
   * replaced. A changed token alone is read again on the next 401 instead.
   */
  outdated(): boolean {
    if (!this.source) return false;
    const stamp = filesStamp(this.source.files);
    if (stamp === this.filesSeen) return false;
    this.filesSeen = stamp;
    try {
      return connectionFingerprint(this.source.load()) !== this.fingerprint;
    } catch (e) {
      // A file caught half-written, or broken: keep what works and look again at the next change.
      this.ctx.log.warn(
        { err: (e as Error).message },
        'the kubeconfig changed but cannot be read; keeping the connection',
      );
      this.filesSeen = '';
      return false;
    }
  }

  accepts(resource: Resource): boolean {
    // sluice.dev kinds (Process) belong to the process provider.
    return (
      typeof resource.apiVersion === 'string' &&
      typeof resource.kind === 'string' &&
      !resource.apiVersion.startsWith('sluice.dev/')
    );
  }

  async start(): Promise<void> {
    if (this.rt) return;
    const client = await KubeClient.create(this.kc, {
      maxSockets: this.options.concurrency * 2,
      ...(this.source ? { reload: this.source.load } : {}),
    });
    try {
      await client.request('GET', '/version');
    } catch (e) {
      client.close();
      throw e instanceof ProviderError
        ? e
        : new ProviderError(
            'KUBE_UNREACHABLE',
            `the Kubernetes API at ${client.server} did not answer: ${(e as Error).message}`,
            { hint: 'Check the kubeconfig credentials and that the cluster is up.', cause: e },
          );
    }
    this.reachability = new Reachability(client);
    this.reachability.answered();
    const discovery = new Discovery(client);
    const writes = new OwnWrites();
    const live = new LiveState(client, discovery, this.ctx.log, (gk) => (type, obj, prev) => {
      const scope = scopeOfObject(obj);
      if (!scope) return;
      const turned = type === 'MODIFIED' && prev ? healthTransition(prev, obj, this.options.healthChecks) : undefined;
      if (turned)
        this.emit({ scope, type: turned.type, key: resourceKey(obj), message: turned.message, time: new Date() });
      if (writes.isOwn(OwnWrites.key(gk, obj.metadata.namespace, obj.metadata.name), obj.metadata.resourceVersion))
        return;
      const drift = detectDrift(type, obj, prev);
      if (drift)
        this.emit({
          scope: drift.scope,
          type: 'drift',
          key: resourceKey(obj),
          message: drift.message,
          time: new Date(),
        });
    });
    const ns = this.options.inventoryNamespace;
    this.parents = new WatchCache(client, resourcePath(CONFIGMAP_INFO, ns), `${LABEL_INVENTORY}=true`, this.ctx.log, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
    });
    await this.parents.ready;
    const inventory = new Inventory(client, ns, this.parents);
    this.rt = { client, discovery, live, inventory, options: this.options, writes, log: this.ctx.log };
    // Watch what earlier runs applied, so drift is seen from the start, not after the first sync.
    const gks = new Set<string>();
    for (const scope of inventory.scopes()) for (const gk of inventory.read(scope)?.groupKinds ?? []) gks.add(gk);
    for (const gk of gks) {
      const { group, kind } = splitGroupKind(gk);
      const info = await discovery.resolveGroupKind(group, kind);
      if (info) await live.cacheFor(info);
    }
  }

  private runtime(): Runtime {
    if (!this.rt)
      throw new ProviderError('KUBE_NOT_STARTED', 'the Kubernetes provider was used before start()', {
        hint: 'Call start() first.',
      });
    return this.rt;
  }

  private emit(event: ProviderEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (e) {
        this.ctx.log.error({ err: e }, 'provider event listener failed');
      }
    }
  }

  /**
   * Members from the watch caches, once the server has shown it still answers (else the caches
   * may be stale), with the shared objects the scope's latest sync applied.
   */
  private async members(scope: Scope): Promise<Resource[]> {
    const rt = this.runtime();
    await this.reachability?.confirm();
    const inv = rt.inventory.read(scope);
    return [
      ...(await rt.live.members(rt.inventory.id(scope), inv?.groupKinds ?? [])),
      ...(await rt.live.byKeys(SHARED_APPLYSET, inv?.applied ?? [])),
    ];
  }

  async live(scope: Scope): Promise<LiveResource[]> {
    return (await this.members(scope)).map((obj) => {
      const { managedFields: _mf, ...metadata } = obj.metadata;
      return { key: resourceKey(obj), object: { ...obj, metadata } as Resource };
    });
  }

  async plan(scope: Scope, desired: Resource[], options: PlanOptions): Promise<Plan> {
    // Unchanged objects are planned from the caches without a request, so ask for a sign of life first.
    await this.reachability?.confirm();
    return planScope(this.runtime(), scope, desired, options);
  }

  async apply(scope: Scope, desired: Resource[], options: ApplyOptions): Promise<Plan> {
    await this.reachability?.confirm();
    if (options.dryRun) return planScope(this.runtime(), scope, desired, options);
    return syncScope(this.runtime(), scope, desired, options);
  }

  /**
   * Plans and health are read from the watch caches once the server answers, so while the
   * caches hold the same objects a scope's plan and health stay what they were.
   */
  async liveStamp(): Promise<string> {
    const rt = this.runtime();
    await this.reachability?.confirm();
    return `${this.stampId}:${rt.live.version}:${this.parents?.version ?? 0}`;
  }

  async health(scope: Scope): Promise<ResourceHealth[]> {
    const applied = this.runtime().inventory.read(scope)?.applied ?? [];
    return scopeHealth(await this.members(scope), applied, this.options.healthChecks);
  }

  async scopes(): Promise<Scope[]> {
    return this.runtime().inventory.scopes();
  }

  async destroy(scope: Scope, options: { declaredElsewhere?: DeclaredElsewhere } = {}): Promise<void> {
    const rt = this.runtime();
    await deleteMembers(rt, await prunable(rt, scope, new Set(), [], options.declaredElsewhere));
    await rt.inventory.remove(scope);
  }

  onEvent(listener: (event: ProviderEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    // Kubernetes keeps running what was applied; there is nothing to stop but watches.
    this.rt?.live.stop();
    this.parents?.stop();
    this.rt?.client.close();
    this.rt = undefined;
    this.reachability = undefined;
    this.listeners.clear();
  }
}
