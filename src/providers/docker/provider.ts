import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { ProviderError, ValidationError } from '../../errors/index.js';
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
import {
  closeDockerClient,
  connectionError,
  dockerClient,
  ignoreMissing,
  ignoreNotModified,
  type DockerConnection,
} from './connection.js';
import { createOptions, endpoint, proxiedPorts, publishesFixedPorts, serviceNetworks } from './container-spec.js';
import { PortRoutes } from './port-routes.js';
import { ensureNetworks, ensureVolumes, removeProjectObjects } from './project-objects.js';
import type { ContainerContext } from './container-spec.js';
import { watchDrift } from './drift.js';
import { acceptsCompose, composeIssues } from './validate.js';
import { waitCompleted, waitReady } from './health.js';
import { ensureImages } from './images.js';
import {
  composeProjectName,
  containerName,
  LABEL_PROJECT,
  LABEL_SCOPE,
  objectName,
  scopeFromLabel,
  scopeLabel,
} from './labels.js';
import { assertProjectFree, readProject, type LiveContainer, type ProjectState } from './live-state.js';
import { COMPOSE_API_VERSION } from '../../model/compose.js';
import type { ComposeServiceSpec } from '../../model/compose.js';
import { desiredProject, planProject, serviceKey, verdict, type DesiredProject, type DesiredService } from './plan.js';
import { recordScope } from './scope-file.js';
import { containerWorkloads } from './workloads.js';
import { dependencyOrder, runInDependencyOrder } from './schedule.js';

/**
 * Services rolled out at once when none depends on another: as many as `docker compose up`
 * (64). Sluice only waits on the Engine, which does the work; a 50-service first deploy took
 * 1.3× docker-compose's time with 8, 1.1× with 24 and 0.98× with 64 (bench/docker.ts).
 */
const ROLLOUT_PARALLELISM = 64;

/** How long a container taken out of a port's rotation may finish its connections before it is removed. */
const DRAIN_MS = 10_000;

export interface DockerProviderOptions extends DockerConnection {
  /** Remove named volumes no longer in Git when pruning. Off: data outlives a mistaken commit. */
  pruneVolumes: boolean;
  /** How long a new container may take to become ready before it is removed and the old one kept. */
  readyTimeoutMs: number;
  pollMs?: number;
}

/** Runs Compose services as containers of one Compose project per app × environment. */
export class DockerProvider implements Provider {
  readonly kind = 'docker';
  private client: Dockerode | undefined;
  private connecting: Promise<Dockerode> | undefined;
  private readonly listeners = new Set<(event: ProviderEvent) => void>();
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Projects being changed by Sluice now: their events are Sluice's own, not drift. */
  private readonly busy = new Set<string>();
  /**
   * `<container id>:<action>` of what Sluice itself did, so the event it causes is not taken
   * for drift even when it arrives after the apply is over.
   */
  private readonly own = new Set<string>();
  /** Scopes this provider applied or found, by Compose project name. */
  private readonly known = new Map<string, Scope>();
  private stopWatching: (() => void) | undefined;
  /** Published ports Sluice holds for services. */
  private readonly routes = new PortRoutes(() => this.docker);

  constructor(
    private readonly ctx: ProviderContext,
    private readonly options: DockerProviderOptions,
  ) {}

  /** The Engine client; only valid after connect(), which every entry point awaits first. */
  private get docker(): Dockerode {
    if (!this.client) throw new Error('docker provider used before connecting');
    return this.client;
  }

  private async connect(): Promise<void> {
    this.connecting ??= dockerClient(this.options);
    this.client = await this.connecting;
  }

  accepts(resource: Resource): boolean {
    return acceptsCompose(resource);
  }

  validate(resource: Resource): ResourceIssue[] {
    return composeIssues(resource);
  }

  async start(): Promise<void> {
    await this.connect();
    for (const s of await this.scopes()) this.known.set(composeProjectName(s), s);
    await this.routes.restore(this.ctx.log);
    this.stopWatching = watchDrift(this.docker, {
      log: this.ctx.log,
      scopeOf: (labels) =>
        scopeFromLabel(labels[LABEL_SCOPE]) ?? this.known.get(labels[LABEL_PROJECT] ?? '') ?? undefined,
      isBusy: (project) => this.busy.has(project),
      isOwn: (id, action) => this.own.delete(`${id}:${action}`),
      emit: (scope, key, message) => this.emit(scope, key, message),
    });
  }

  async live(scope: Scope): Promise<LiveResource[]> {
    await this.connect();
    const state = await this.read(scope);
    const out: LiveResource[] = [];
    const byService = new Map<string, LiveContainer[]>();
    for (const c of state.containers) byService.set(c.service, [...(byService.get(c.service) ?? []), c]);
    for (const [name, cs] of byService) {
      const spec = cs.find((c) => c.spec)?.spec ?? { image: cs[0]?.observed?.image };
      out.push({
        key: serviceKey(name),
        object: {
          apiVersion: COMPOSE_API_VERSION,
          kind: 'Service',
          metadata: { name, annotations: { 'sluice.dev/config-hash': cs[0]?.hash ?? '' } },
          spec: { ...spec, deploy: { replicas: cs.filter((c) => c.state === 'running').length } },
          status: {
            containers: cs.map((c) => ({
              id: c.id.slice(0, 12),
              name: c.name,
              number: c.number,
              state: c.state,
              ...(c.health ? { health: c.health } : {}),
              ports: c.ports,
            })),
          },
        },
      });
    }
    for (const n of state.networks)
      out.push({ key: `Network.compose.sluice.dev/${n.key}`, object: this.plain('Network', n.key, { name: n.name }) });
    for (const v of state.volumes)
      out.push({ key: `Volume.compose.sluice.dev/${v.key}`, object: this.plain('Volume', v.key, { name: v.name }) });
    return out;
  }

  async plan(scope: Scope, desired: Resource[], options: PlanOptions): Promise<Plan> {
    await this.connect();
    const project = desiredProject(desired);
    return planProject(project, await this.read(scope), { ...options, pruneVolumes: this.options.pruneVolumes });
  }

  apply(scope: Scope, desired: Resource[], options: ApplyOptions): Promise<Plan> {
    return this.serialize(scope, () => this.applyNow(scope, desired, options));
  }

  private async applyNow(scope: Scope, resources: Resource[], options: ApplyOptions): Promise<Plan> {
    await this.connect();
    // Everything that can fail without touching a container comes first: a bad spec or a
    // missing image changes nothing.
    const desired = desiredProject(resources);
    const project = composeProjectName(scope);
    const live = await this.read(scope);
    assertProjectFree(project, scopeLabel(scope), live);
    const plan = planProject(desired, live, { ...options, pruneVolumes: this.options.pruneVolumes });
    if (options.dryRun) return plan;
    await ensureImages(this.docker, desired.services, options.onProgress);
    this.known.set(project, scope);
    recordScope(this.ctx.dataDir, scope, { host: this.options.host, project });
    this.busy.add(project);
    try {
      await ensureNetworks(this.docker, scope, desired);
      await ensureVolumes(this.docker, scope, desired);
      // One read of the project serves every service: each service's containers are changed
      // only by its own step, so what was read stays true for it.
      const byName = new Map(desired.services.map((s) => [s.name, s]));
      const order = dependencyOrder(desired.services);
      await runInDependencyOrder(
        order,
        (s) => Object.keys(s.spec.depends_on ?? {}).flatMap((d) => byName.get(d) ?? []),
        ROLLOUT_PARALLELISM,
        async (s) => {
          await this.waitDependencies(scope, s, desired, options.signal);
          await this.applyService(
            scope,
            s,
            desired,
            live.containers.filter((c) => c.service === s.name),
            options,
          );
        },
      );
      if (options.prune) await this.prune(desired, live, options);
    } finally {
      this.busy.delete(project);
    }
    return plan;
  }

  private async waitDependencies(
    scope: Scope,
    s: DesiredService,
    desired: DesiredProject,
    signal: AbortSignal | undefined,
  ) {
    for (const [dep, d] of Object.entries(s.spec.depends_on ?? {})) {
      if (!desired.services.some((x) => x.name === dep)) {
        if (d.required)
          throw new ValidationError('DOCKER_DEPENDENCY', `service ${s.name} depends on ${dep}, which is not defined`, {
            resource: `Service/${s.name}`,
            field: `spec.depends_on.${dep}`,
            hint: 'Define the service or mark the dependency required: false.',
          });
        continue;
      }
      if (d.condition !== 'service_completed_successfully') continue;
      const state = await this.read(scope);
      for (const c of state.containers.filter((x) => x.service === dep)) {
        const done = await waitCompleted(this.docker, c.id, signal);
        if (!done.ok)
          throw new ProviderError(
            'DOCKER_DEPENDENCY_FAILED',
            `service ${s.name} waits for ${dep} to complete, but ${c.name} ${done.reason}`,
            {
              resource: `Service/${dep}`,
              hint: '`sluice logs` shows its output; nothing that depends on it was started.',
              retry: false,
            },
          );
      }
    }
  }

  private async applyService(
    scope: Scope,
    s: DesiredService,
    desired: DesiredProject,
    mine: LiveContainer[],
    options: ApplyOptions,
  ) {
    const project = composeProjectName(scope);
    for (let n = 1; n <= s.replicas; n++) {
      const ctx = this.containerContext(scope, s, n, options.revision, desired);
      const existing = mine.filter((c) => c.number === n);
      const [current, ...duplicates] = existing;
      for (const d of duplicates) await this.remove(d.id);
      if (!current) {
        options.onProgress?.(`creating ${containerName(project, s.name, n)}`);
        const id = await this.createAndStart(containerName(project, s.name, n), s.spec, ctx);
        await this.gate(s, id, containerName(project, s.name, n), options);
        await this.routes.route(s.name, s.spec, id);
        continue;
      }
      const v = verdict(s, current);
      if (v.action === 'keep') {
        if (current.state === 'running') await this.routes.route(s.name, s.spec, current.id, current.ports);
        continue;
      }
      if (v.action === 'start') {
        options.onProgress?.(`starting ${current.name} (${v.reason})`);
        await this.docker.getContainer(current.id).start();
        await this.gate(s, current.id, current.name, options);
        await this.routes.route(s.name, s.spec, current.id);
        continue;
      }
      options.onProgress?.(`recreating ${current.name}: ${v.reasons.join('; ')}`);
      this.ctx.log.info({ scope: scopeId(scope), container: current.name, changed: v.reasons }, 'recreating container');
      await this.replace(current, s, ctx, options);
    }
    for (const c of mine.filter((x) => x.number > s.replicas)) {
      options.onProgress?.(`removing ${c.name} (above ${s.replicas} replicas)`);
      await this.remove(c.id);
    }
  }

  /**
   * Health-gated replacement: the new container starts beside the old one and takes its name
   * only once ready; if it never becomes ready it is removed and the old one keeps serving.
   * A published TCP port is held by Sluice (port-proxy.ts): the new container joins its
   * rotation once ready, and the old one leaves it and finishes its connections before it is
   * removed. A fixed port the Engine binds itself (UDP, or a container from before Sluice
   * held the port) cannot be bound twice, so there the old container is stopped (not
   * removed) first and started again if the new one fails.
   */
  private async replace(old: LiveContainer, s: DesiredService, ctx: ContainerContext, options: ApplyOptions) {
    const oldHoldsPort = old.observed.ports.some((b) => !b.endsWith('='));
    const fixed = publishesFixedPorts(s.spec) && (proxiedPorts(s.spec).length === 0 || oldHoldsPort);
    if (fixed) await this.stop(old.id);
    const temp = `${old.name}-${s.hash.slice(0, 8)}`;
    const stale = await this.docker
      .getContainer(temp)
      .inspect()
      .catch(() => undefined);
    if (stale) await this.remove(stale.Id);
    let id: string;
    try {
      id = await this.createAndStart(temp, s.spec, ctx);
    } catch (e) {
      if (fixed) await this.docker.getContainer(old.id).start().catch(ignoreNotModified);
      throw e;
    }
    const ready = await this.readiness(s, id, options);
    if (!ready.ok) {
      await this.remove(id);
      if (fixed) await this.docker.getContainer(old.id).start().catch(ignoreNotModified);
      throw new ProviderError(
        'DOCKER_NOT_READY',
        `the new container of service ${s.name} did not become ready (${ready.reason}); ${old.name} keeps running the previous version`,
        {
          resource: `Service/${s.name}`,
          hint: 'Fix the change and commit again; `sluice logs` shows why it failed.',
          retry: false,
        },
      );
    }
    await this.routes.route(s.name, s.spec, id);
    await this.routes.drain(old.id, DRAIN_MS);
    await this.remove(old.id);
    await this.docker.getContainer(id).rename({ name: old.name });
  }

  private async gate(s: DesiredService, id: string, name: string, options: ApplyOptions) {
    const ready = await this.readiness(s, id, options);
    if (!ready.ok)
      throw new ProviderError(
        'DOCKER_NOT_READY',
        `container ${name} of service ${s.name} did not become ready: ${ready.reason}`,
        {
          resource: `Service/${s.name}`,
          hint: '`sluice logs` shows the container output.',
          retry: false,
        },
      );
  }

  /** Ready as the service's dependents need it: a one-off service must have completed. */
  private async readiness(s: DesiredService, id: string, options: ApplyOptions) {
    return waitReady(this.docker, id, s.spec, {
      timeoutMs: this.options.readyTimeoutMs,
      pollMs: this.options.pollMs ?? 250,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  private async createAndStart(name: string, spec: ComposeServiceSpec, ctx: ContainerContext): Promise<string> {
    const container = await this.docker.createContainer(createOptions(name, spec, ctx));
    this.own.add(`${container.id}:create`);
    for (const net of serviceNetworks(spec).slice(1)) {
      await this.docker
        .getNetwork(objectName(ctx.project, net, ctx.networks.get(net) ?? {}))
        .connect({ Container: container.id, EndpointConfig: endpoint(spec, net, ctx.service) });
    }
    try {
      await container.start();
    } catch (e) {
      await container.remove({ force: true }).catch(ignoreMissing);
      throw new ProviderError('DOCKER_START', `container ${name} could not start: ${(e as Error).message}`, {
        hint: 'A published port may be taken, or a bind source missing.',
        cause: e,
      });
    }
    return container.id;
  }

  private async stop(id: string) {
    this.own.add(`${id}:die`);
    await this.docker.getContainer(id).stop().catch(ignoreNotModified);
  }

  private async remove(id: string) {
    this.routes.unroute(id);
    this.own.add(`${id}:die`);
    this.own.add(`${id}:destroy`);
    await this.docker.getContainer(id).remove({ force: true, v: false }).catch(ignoreMissing);
  }

  /** Removes what Git no longer has; `state` is the project as read before the apply. */
  private async prune(desired: DesiredProject, state: ProjectState, options: ApplyOptions) {
    const wanted = new Set(desired.services.map((s) => s.name));
    for (const c of state.containers.filter((x) => !wanted.has(x.service))) {
      options.onProgress?.(`removing ${c.name} (service ${c.service} not in Git any more)`);
      await this.remove(c.id);
    }
    await removeProjectObjects(this.docker, state, desired, this.options.pruneVolumes);
  }

  async workloads(scope: Scope): Promise<LiveWorkload[]> {
    await this.connect();
    return containerWorkloads(this.docker, (await this.read(scope)).containers);
  }

  async health(scope: Scope): Promise<ResourceHealth[]> {
    await this.connect();
    const state = await this.read(scope);
    const byService = new Map<string, LiveContainer[]>();
    for (const c of state.containers) byService.set(c.service, [...(byService.get(c.service) ?? []), c]);
    return [...byService].map(([name, cs]) => {
      const base = { key: serviceKey(name), kind: 'Service', name };
      const down = cs.filter(
        (c) => c.state !== 'running' && !(c.state === 'exited' && c.exitCode === 0 && isOneOff(c)),
      );
      if (down.length > 0)
        return { ...base, status: 'Degraded', message: `${down.map((c) => `${c.name} ${c.state}`).join(', ')}` };
      if (cs.some((c) => c.health === 'unhealthy'))
        return { ...base, status: 'Degraded', message: 'healthcheck failing' };
      if (cs.some((c) => c.health === 'starting'))
        return { ...base, status: 'Progressing', message: 'healthcheck starting' };
      return { ...base, status: 'Healthy', message: `${cs.length} container${cs.length === 1 ? '' : 's'} running` };
    });
  }

  async scopes(): Promise<Scope[]> {
    await this.connect();
    const list = await this.docker.listContainers({ all: true, filters: { label: [LABEL_SCOPE] } });
    const seen = new Map<string, Scope>();
    for (const c of list) {
      const s = scopeFromLabel(c.Labels?.[LABEL_SCOPE]);
      if (s) seen.set(scopeId(s), s);
    }
    return [...seen.values()];
  }

  destroy(scope: Scope): Promise<void> {
    return this.serialize(scope, async () => {
      await this.connect();
      const project = composeProjectName(scope);
      this.busy.add(project);
      try {
        const state = await this.read(scope);
        for (const c of state.containers) await this.remove(c.id);
        const none = { has: () => false };
        await removeProjectObjects(this.docker, state, { networks: none, volumes: none }, this.options.pruneVolumes);
      } finally {
        this.busy.delete(project);
      }
    });
  }

  onEvent(listener: (event: ProviderEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(options: { stopWorkloads?: boolean } = {}): Promise<void> {
    this.stopWatching?.();
    this.stopWatching = undefined;
    await Promise.all([...this.queues.values()].map((q) => q.catch(() => {})));
    if (options.stopWorkloads && this.client) {
      for (const scope of this.known.values()) {
        const state = await this.read(scope).catch(() => undefined);
        for (const c of state?.containers ?? [])
          await this.docker
            .getContainer(c.id)
            .stop()
            .catch(() => {});
      }
    }
    this.listeners.clear();
    await this.routes.close();
    if (this.client) closeDockerClient(this.client);
  }

  private read(scope: Scope): Promise<ProjectState> {
    return readProject(this.docker, composeProjectName(scope), scopeLabel(scope)).catch((e: unknown) => {
      throw connectionError(this.options, e) ?? unreachable(this.options.host, e);
    });
  }

  private containerContext(
    scope: Scope,
    s: DesiredService,
    number: number,
    revision: string,
    desired: DesiredProject,
  ): ContainerContext {
    return {
      project: composeProjectName(scope),
      scopeLabel: scopeLabel(scope),
      service: s.name,
      number,
      hash: s.hash,
      revision,
      volumes: desired.volumes,
      networks: desired.networks,
      workingDir: join(this.ctx.dataDir, 'docker', composeProjectName(scope)),
    };
  }

  private plain(kind: string, name: string, spec: Record<string, unknown>): Resource {
    return { apiVersion: COMPOSE_API_VERSION, kind, metadata: { name }, spec };
  }

  private serialize<T>(scope: Scope, fn: () => Promise<T>): Promise<T> {
    const id = scopeId(scope);
    const next = (this.queues.get(id) ?? Promise.resolve()).catch(() => {}).then(fn);
    this.queues.set(id, next);
    return next;
  }

  private emit(scope: Scope, key: string | undefined, message: string): void {
    const event: ProviderEvent = { scope, type: 'drift', message, time: new Date(), ...(key ? { key } : {}) };
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (e) {
        this.ctx.log.warn({ err: (e as Error).message }, 'event listener failed');
      }
    }
  }
}

function isOneOff(c: LiveContainer): boolean {
  const restart = (c.spec as { restart?: string } | undefined)?.restart;
  return restart === undefined || restart === 'no';
}

function unreachable(host: string, e: unknown): Error {
  if ((e as { statusCode?: number }).statusCode !== undefined) return e as Error;
  return new ProviderError('DOCKER_UNREACHABLE', `cannot reach the Docker Engine at ${host}: ${(e as Error).message}`, {
    hint: 'Start dockerd, or point the target host at a running Engine.',
    cause: e,
  });
}
