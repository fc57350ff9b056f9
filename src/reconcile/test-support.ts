import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderError, SourceError } from '../errors/index.js';
import { resourceKey, type Resource } from '../model/resource.js';
import {
  summarize,
  type Change,
  type HealthStatus,
  type LiveResource,
  type Plan,
  type ResourceHealth,
} from '../plan/types.js';
import type { Provider, ProviderEvent, Scope } from '../providers/types.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { MemoryFs } from '../vfs/index.js';
import type { RevisionSource } from './source.js';

/**
 * In-process stand-ins for the controller's tests: a revision history held in memory and a
 * target that keeps "live" objects in a map. Their faults (a start that fails, a call that
 * hangs, health that never turns) are switched on by the test, under a fake clock.
 */

export type Files = Record<string, string>;

export class MemorySource implements RevisionSource {
  readonly url = 'memory://config';
  readonly branch = 'main';
  private readonly revisions = new Map<string, Files>();
  private readonly order: string[] = [];
  private readonly parents = new Map<string, string | undefined>();
  /** While set, fetch fails as an unreachable remote does; lastKnown still answers from the "cache". */
  down = false;
  private listeners = new Set<(revision: string) => void>();
  private counter = 0;

  /** Commits a whole tree and tells watchers; returns its revision. */
  /** `parent` null starts a history of its own (what a force push of unrelated commits leaves). */
  commit(files: Files, parent: string | null = this.order.at(-1) ?? null): string {
    const revision = (++this.counter).toString(16).padStart(40, '0');
    this.revisions.set(revision, { ...files });
    this.parents.set(revision, parent ?? undefined);
    this.order.push(revision);
    this.listeners.forEach((l) => l(revision));
    return revision;
  }

  /** Commits the tree as it was at `revision` again, like `git revert` of everything after it. */
  revertTo(revision: string): string {
    return this.commit(this.revisions.get(revision)!);
  }

  head(): Files {
    return { ...this.revisions.get(this.order.at(-1)!)! };
  }

  async fetch(): Promise<string> {
    if (this.down) throw new SourceError('SOURCE_UNREACHABLE', 'cannot reach memory://config');
    return this.order.at(-1)!;
  }

  async lastKnown(): Promise<string | undefined> {
    return this.order.at(-1);
  }

  async contains(ancestor: string, descendant: string): Promise<boolean> {
    for (let r: string | undefined = descendant; r; r = this.parents.get(r)) if (r === ancestor) return true;
    return false;
  }

  async tree(revision: string): Promise<MemoryFs> {
    return MemoryFs.fromFiles(this.revisions.get(revision)!);
  }

  async changedPaths(from: string, to: string): Promise<string[]> {
    const a = this.revisions.get(from)!;
    const b = this.revisions.get(to)!;
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((p) => a[p] !== b[p]).sort();
  }

  watch(onChange: (revision: string) => void): () => void {
    this.listeners.add(onChange);
    return () => this.listeners.delete(onChange);
  }

  health(): Record<string, never> {
    return {};
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

/** A target that keeps objects in memory. Health is Healthy unless the test says otherwise. */
export class MemoryTarget implements Provider {
  readonly kind = 'process';
  readonly objects = new Map<string, Map<string, Resource>>();
  /** Per resource name: the health the target reports. */
  readonly healthOf = new Map<string, HealthStatus>();
  /** Health decided by the live object itself (e.g. a bad version never turns healthy). */
  healthFn: ((r: Resource) => HealthStatus | undefined) | undefined;
  startFailures = 0;
  starts = 0;
  closed = false;
  /** While set, every call that reads or changes the target never answers. */
  hanging = false;
  /** An error every apply throws, while set. */
  applyError: Error | undefined;
  applies = 0;
  destroyed: string[] = [];
  private listeners = new Set<(e: ProviderEvent) => void>();

  accepts(r: Resource): boolean {
    return r.kind === 'Process';
  }

  async start(): Promise<void> {
    this.starts++;
    if (this.starts <= this.startFailures) throw new ProviderError('TARGET_DOWN', `target down (start ${this.starts})`);
  }

  private id(scope: Scope): string {
    return `${scope.project}/${scope.app}/${scope.env}`;
  }

  private async gate(): Promise<void> {
    if (this.hanging) await new Promise(() => undefined);
  }

  private async of(scope: Scope): Promise<Map<string, Resource>> {
    await this.gate();
    let m = this.objects.get(this.id(scope));
    if (!m) this.objects.set(this.id(scope), (m = new Map()));
    return m;
  }

  async live(scope: Scope): Promise<LiveResource[]> {
    return [...(await this.of(scope)).entries()].map(([key, object]) => ({ key, object }));
  }

  async plan(scope: Scope, desired: Resource[], options: { prune: boolean }): Promise<Plan> {
    const live = await this.of(scope);
    const changes: Change[] = desired.map((r) => {
      const key = resourceKey(r);
      const cur = live.get(key);
      const action = !cur ? 'create' : JSON.stringify(cur) === JSON.stringify(r) ? 'unchanged' : 'update';
      return {
        action,
        key,
        kind: r.kind,
        name: r.metadata.name,
        ...(action === 'update' ? { reason: 'spec changed' } : {}),
      };
    });
    if (options.prune) {
      for (const [key, r] of live)
        if (!desired.some((d) => resourceKey(d) === key))
          changes.push({ action: 'delete', key, kind: r.kind, name: r.metadata.name });
    }
    return { changes, summary: summarize(changes) };
  }

  /** While set, apply never returns unless its signal aborts (a call stuck on a hung mount). */
  hangApply = false;
  applySignals: (AbortSignal | undefined)[] = [];

  async apply(scope: Scope, desired: Resource[], options: { prune: boolean; signal?: AbortSignal }): Promise<Plan> {
    this.applySignals.push(options.signal);
    if (this.hangApply) {
      await new Promise((_, reject) =>
        options.signal?.addEventListener('abort', () => reject(options.signal!.reason as Error)),
      );
    }
    const plan = await this.plan(scope, desired, options);
    this.applies++;
    if (this.applyError) throw this.applyError;
    const live = await this.of(scope);
    if (options.prune) live.clear();
    for (const r of desired) live.set(resourceKey(r), structuredClone(r));
    return plan;
  }

  async health(scope: Scope): Promise<ResourceHealth[]> {
    const live = await this.of(scope);
    return [...live.values()].map((r) => ({
      key: resourceKey(r),
      kind: r.kind,
      name: r.metadata.name,
      status: this.healthFn?.(r) ?? this.healthOf.get(r.metadata.name) ?? 'Healthy',
    }));
  }

  async scopes(): Promise<Scope[]> {
    await this.gate();
    return [...this.objects.entries()]
      .filter(([, m]) => m.size > 0)
      .map(([id]) => {
        const [project, app, env] = id.split('/') as [string, string, string];
        return { project, app, env };
      });
  }

  async destroy(scope: Scope): Promise<void> {
    await this.gate();
    this.destroyed.push(this.id(scope));
    this.objects.delete(this.id(scope));
  }

  /** Changes a live object behind Sluice's back. */
  tamper(scope: Scope, name: string, edit: (r: Resource) => void): void {
    const m = this.objects.get(this.id(scope))!;
    for (const r of m.values()) if (r.metadata.name === name) edit(r);
  }

  emit(e: Omit<ProviderEvent, 'time'>): void {
    this.listeners.forEach((l) => l({ ...e, time: new Date() }));
  }

  onEvent(listener: (e: ProviderEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export function sluiceYaml(o: { description?: string; environments?: string; healthTimeout?: string } = {}): string {
  return `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata:
  name: shop
spec:
  targets:
    local:
      provider: process
${o.description ? `      description: ${o.description}\n` : ''}  environments:
${
  o.environments ??
  `    - { name: dev, target: local, sync: auto, selfHeal: true, healthTimeout: ${o.healthTimeout ?? '30s'} }
    - { name: prod, target: local, sync: auto, selfHeal: false, healthTimeout: ${o.healthTimeout ?? '30s'} }`
}
  apps:
    - name: web
      path: apps/web
`;
}

export function processYaml(name: string, args: string[] = ['v1']): string {
  return `apiVersion: sluice.dev/v1alpha1
kind: Process
metadata:
  name: ${name}
spec:
  command: /bin/true
  args: [${args.map((a) => JSON.stringify(a)).join(', ')}]
`;
}

/** A project with one app `web` whose base runs one Process, in dev and prod. */
export function projectFiles(o: Parameters<typeof sluiceYaml>[0] = {}, args: string[] = ['v1']): Files {
  return { 'sluice.yaml': sluiceYaml(o), 'apps/web/base/web.yaml': processYaml('web', args) };
}

export function tempStore(): { store: Store; dir: string; reopen(): Store; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-ctl-'));
  return {
    store: openStore(dir),
    dir,
    reopen: () => openStore(dir),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const quietLog = { info() {}, warn() {}, error() {}, debug() {} };
