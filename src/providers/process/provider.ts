import { rmSync } from 'node:fs';
import type { Resource } from '../../model/resource.js';
import type { LiveResource, Plan, ResourceHealth } from '../../plan/types.js';
import type {
  ApplyOptions,
  LiveWorkload,
  PlanOptions,
  Provider,
  ProviderContext,
  ProviderEvent,
  ResourceIssue,
  Scope,
} from '../types.js';
import { scopeId } from '../types.js';
import { recover, stopOrphans } from './adoption.js';
import { Layout } from './layout.js';
import { rotateIfLarge } from './logs.js';
import type { DesiredProcessView } from './plan.js';
import { planProcesses } from './plan.js';
import type { SupervisorTuning } from './replica.js';
import type { ReplicaPhase } from './supervision-types.js';
import { Sealer } from './sealing.js';
import {
  isProcessResource,
  parseProcesses,
  PROCESS_API_VERSION,
  PROCESS_KIND,
  processIssues,
  processKey,
} from './spec.js';
import type { ProcessObject } from './spec.js';
import { redactSpec, specHash } from './spec-hash.js';
import { buildSpecVersion } from './spec-version.js';
import { StateStore } from './state-store.js';
import type { AppliedRecord } from './state-store.js';
import { ProcessWorkload } from './workload.js';

export interface ProcessProviderOptions {
  tuning?: Partial<SupervisorTuning>;
  logs?: { maxBytes?: number; keep?: number; checkEveryMs?: number };
}

interface ScopeRuntime {
  scope: Scope;
  workloads: Map<string, ProcessWorkload>;
  /** Serializes apply and destroy within a scope. */
  queue: Promise<unknown>;
}

const REPLICA_HEALTH: Partial<Record<ReplicaPhase, LiveWorkload['health']>> = {
  starting: 'starting',
  ready: 'healthy',
  unhealthy: 'unhealthy',
};

const DEFAULT_TUNING: SupervisorTuning = {
  backoffResetMs: 60_000,
  readyWithoutCheckMs: 1000,
  livenessPollMs: 500,
  maxBackoffMs: 300_000,
};

/** Runs `Process` objects as supervised OS processes on this machine. */
export class ProcessProvider implements Provider {
  readonly kind = 'process';
  private readonly layout: Layout;
  private readonly store: StateStore;
  private sealer: Sealer | undefined;
  private readonly tuning: SupervisorTuning;
  private readonly runtimes = new Map<string, ScopeRuntime>();
  private readonly listeners = new Set<(event: ProviderEvent) => void>();
  private rotation: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: ProviderContext,
    private readonly options: ProcessProviderOptions = {},
  ) {
    this.layout = new Layout(ctx.dataDir);
    this.store = new StateStore(this.layout);
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
  }

  validate(resource: Resource): ResourceIssue[] {
    return isProcessResource(resource) ? processIssues(resource) : [];
  }

  accepts(resource: Resource): boolean {
    return isProcessResource(resource);
  }

  async start(): Promise<void> {
    const deps = {
      layout: this.layout,
      store: this.store,
      sealer: this.seal(),
      log: this.ctx.log,
      workload: (scope: Scope, name: string) => this.workload(scope, name),
      emit: (scope: Scope, name: string | undefined, type: ProviderEvent['type'], message: string) =>
        this.emit(scope, name, type, message),
    };
    await recover(deps);
    const ids = new Set<string>();
    const pids = new Set<number>();
    for (const w of this.allWorkloads()) {
      for (const r of w.replicas.values()) {
        const id = r.identity();
        if (id.replicaId) ids.add(id.replicaId);
        if (id.pid !== undefined) pids.add(id.pid);
      }
    }
    await stopOrphans(deps, ids, pids);
    const every = this.options.logs?.checkEveryMs ?? 30_000;
    this.rotation = setInterval(() => this.rotateLogs(), every);
    this.rotation.unref();
  }

  async live(scope: Scope): Promise<LiveResource[]> {
    return [...this.runtime(scope).workloads.values()]
      .filter((w) => w.replicas.size > 0 || w.applied)
      .map((w) => {
        const view = w.view();
        const spec = view.replicas[0]?.spec ?? w.applied?.version.redacted;
        const hash = view.replicas[0]?.specHash ?? w.applied?.version.specHash ?? '';
        return {
          key: processKey(w.name),
          object: {
            apiVersion: PROCESS_API_VERSION,
            kind: PROCESS_KIND,
            metadata: {
              name: w.name,
              annotations: { 'sluice.dev/spec-hash': hash, 'sluice.dev/revision': w.applied?.version.revision ?? '' },
            },
            spec: { ...spec, replicas: view.replicas.filter((r) => r.running).length },
            status: { replicas: [...w.replicas.values()].map((r) => r.status()) },
          },
        };
      });
  }

  async plan(scope: Scope, desired: Resource[], options: PlanOptions): Promise<Plan> {
    const objects = parseProcesses(desired);
    return this.planFor(scope, objects, options);
  }

  apply(scope: Scope, desired: Resource[], options: ApplyOptions): Promise<Plan> {
    return this.serialize(scope, () => this.applyNow(scope, desired, options));
  }

  private async applyNow(scope: Scope, desired: Resource[], options: ApplyOptions): Promise<Plan> {
    // Everything that can fail without touching a replica happens first: a bad spec applies nothing.
    const objects = parseProcesses(desired);
    const versions = new Map(
      // Preparing reads artifacts, which can hang (a stalled mount); the caller's deadline must
      // free this scope's queue, or every later apply of the scope waits behind the hung one.
      await untilAborted(
        Promise.all(
          objects.map(
            async (o) =>
              [
                o.name,
                await buildSpecVersion(
                  this.layout,
                  this.seal(),
                  scope,
                  o.name,
                  o.spec,
                  options.revision,
                  options.reason,
                ),
              ] as const,
          ),
        ),
        options.signal,
      ),
    );
    const plan = this.planFor(scope, objects, options);
    if (options.dryRun) return plan;

    const record = this.store.readApplied(scope) ?? { version: 1, ...scope, processes: {} };
    delete record.stoppedAt;
    for (const o of objects) {
      const version = versions.get(o.name)!;
      options.onProgress?.(`applying Process/${o.name}`);
      await this.workload(scope, o.name).apply(version, o.spec.replicas, options);
      record.processes[o.name] = {
        specHash: version.specHash,
        spec: version.redacted,
        sealedSpec: version.sealedSpec,
        revision: options.revision,
        reason: options.reason,
        appliedAt: new Date().toISOString(),
      };
      this.store.writeApplied(record as AppliedRecord);
    }
    if (options.prune) {
      const wanted = new Set(objects.map((o) => o.name));
      const runtime = this.runtime(scope);
      for (const [name, w] of runtime.workloads) {
        if (wanted.has(name)) continue;
        options.onProgress?.(`removing Process/${name} (not in Git any more)`);
        await w.stopAll();
        runtime.workloads.delete(name);
        delete record.processes[name];
      }
      this.store.writeApplied(record as AppliedRecord);
    }
    return plan;
  }

  async health(scope: Scope): Promise<ResourceHealth[]> {
    return [...this.runtime(scope).workloads.values()].map((w) => w.health());
  }

  /** Each replica as its supervisor knows it; nothing is asked of the system. */
  async workloads(scope: Scope): Promise<LiveWorkload[]> {
    const out: LiveWorkload[] = [];
    for (const w of this.runtime(scope).workloads.values()) {
      for (const r of w.replicas.values()) {
        const s = r.status();
        const spec = r.version.redacted;
        const artifact = spec.artifact;
        const health = REPLICA_HEALTH[s.phase];
        out.push({
          name: s.name,
          service: w.name,
          state: s.phase,
          ...(health ? { health } : {}),
          // Callers reach a replica through the service port when there is one.
          ports:
            s.port === undefined ? [] : [{ published: spec.service?.port ?? s.port, target: s.port, protocol: 'tcp' }],
          image: artifact ? (artifact.path ?? artifact.url ?? '') : spec.command,
          ...(artifact ? { digest: `sha256:${artifact.sha256}` } : {}),
          restarts: s.restarts,
        });
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async scopes(): Promise<Scope[]> {
    const seen = new Map<string, Scope>();
    for (const s of this.store.scopes()) seen.set(scopeId(s), s);
    for (const r of this.runtimes.values()) {
      if ([...r.workloads.values()].some((w) => w.replicas.size > 0)) seen.set(scopeId(r.scope), r.scope);
    }
    return [...seen.values()];
  }

  destroy(scope: Scope): Promise<void> {
    return this.serialize(scope, async () => {
      const runtime = this.runtime(scope);
      await Promise.all([...runtime.workloads.values()].map((w) => w.stopAll()));
      runtime.workloads.clear();
      this.store.removeScope(scope);
      rmSync(this.layout.logDir(scope), { recursive: true, force: true });
      rmSync(this.layout.workDir(scope), { recursive: true, force: true });
      this.runtimes.delete(scopeId(scope));
    });
  }

  onEvent(listener: (event: ProviderEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(options: { stopWorkloads?: boolean } = {}): Promise<void> {
    if (this.rotation) clearInterval(this.rotation);
    this.rotation = undefined;
    for (const runtime of this.runtimes.values()) {
      await runtime.queue.catch(() => {});
      if (!options.stopWorkloads) {
        for (const w of runtime.workloads.values()) await w.detachAll();
        continue;
      }
      await Promise.all([...runtime.workloads.values()].map((w) => w.stopAll()));
      const applied = this.store.readApplied(runtime.scope);
      if (applied) this.store.writeApplied({ ...applied, stoppedAt: new Date().toISOString() });
    }
    this.runtimes.clear();
    this.listeners.clear();
  }

  /** Rotates every replica log that grew past the limit. */
  rotateLogs(): void {
    const maxBytes = this.options.logs?.maxBytes ?? 10 * 1024 * 1024;
    const keep = this.options.logs?.keep ?? 5;
    const paths = new Set<string>();
    for (const w of this.allWorkloads()) for (const r of w.replicas.values()) paths.add(r.logPath);
    for (const p of paths) {
      try {
        rotateIfLarge(p, maxBytes, keep);
      } catch (e) {
        this.ctx.log.warn({ log: p, err: (e as Error).message }, 'log rotation failed');
      }
    }
  }

  private planFor(scope: Scope, objects: ProcessObject[], options: PlanOptions): Plan {
    const sealer = this.seal();
    const desired: DesiredProcessView[] = objects.map((o) => {
      const redacted = redactSpec(o.spec, sealer);
      return { name: o.name, spec: redacted, specHash: specHash(redacted) };
    });
    const live = [...this.runtime(scope).workloads.values()]
      .filter((w) => w.replicas.size > 0 || w.applied)
      .map((w) => w.view());
    return planProcesses(desired, live, options);
  }

  private seal(): Sealer {
    this.sealer ??= Sealer.load(this.layout.sealKey, this.ctx.secrets);
    return this.sealer;
  }

  private runtime(scope: Scope): ScopeRuntime {
    const id = scopeId(scope);
    let r = this.runtimes.get(id);
    if (!r) {
      r = {
        scope: { project: scope.project, app: scope.app, env: scope.env },
        workloads: new Map(),
        queue: Promise.resolve(),
      };
      this.runtimes.set(id, r);
    }
    return r;
  }

  private workload(scope: Scope, name: string): ProcessWorkload {
    const runtime = this.runtime(scope);
    let w = runtime.workloads.get(name);
    if (!w) {
      w = new ProcessWorkload({
        scope: runtime.scope,
        process: name,
        layout: this.layout,
        store: this.store,
        log: this.ctx.log,
        tuning: this.tuning,
        emit: (type, message) => this.emit(runtime.scope, name, type, message),
      });
      runtime.workloads.set(name, w);
    }
    return w;
  }

  private *allWorkloads(): Iterable<ProcessWorkload> {
    for (const r of this.runtimes.values()) yield* r.workloads.values();
  }

  private serialize<T>(scope: Scope, fn: () => Promise<T>): Promise<T> {
    const runtime = this.runtime(scope);
    const next = runtime.queue.catch(() => {}).then(fn);
    runtime.queue = next;
    return next;
  }

  private emit(scope: Scope, name: string | undefined, type: ProviderEvent['type'], message: string): void {
    const event: ProviderEvent = { scope, type, message, time: new Date(), ...(name ? { key: processKey(name) } : {}) };
    this.ctx.log.debug({ event: type, scope: scopeId(scope), message }, 'process provider event');
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (e) {
        this.ctx.log.warn({ err: (e as Error).message }, 'event listener failed');
      }
    }
  }
}

/** Rejects as soon as the signal aborts, without waiting for work that may never settle. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
