import { ProviderError } from '../../errors/index.js';
import type { ResourceHealth } from '../../plan/types.js';
import type { LiveProcessView } from './plan.js';
import { allocatePort } from './ports.js';
import { Replica } from './replica.js';
import { ServiceListener, type ServiceAddress } from './service.js';
import type { ReplicaContext, SpecVersion } from './replica.js';
import { processKey } from './spec.js';
import type { ReplicaRecord } from './state-store.js';

export type WorkloadContext = Omit<ReplicaContext, 'index'>;

export interface RolloutOptions {
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/** What the last successful apply asked of one Process. */
export interface AppliedState {
  version: SpecVersion;
  replicas: number;
}

/** The replicas of one Process in one scope, and how they are scaled and rolled. */
export class ProcessWorkload {
  readonly replicas = new Map<number, Replica>();
  applied: AppliedState | undefined;
  private rollingReplica: string | undefined;
  private service: ServiceListener | undefined;
  /** Why the service address asked for last could not be listened on; cleared once it is. */
  private serviceProblem: string | undefined;

  constructor(private readonly ctx: WorkloadContext) {}

  get name(): string {
    return this.ctx.process;
  }

  private get ref(): string {
    return `Process/${this.ctx.process}`;
  }

  /**
   * Scales down (highest index first), rolls replicas on an older spec one at a time (the
   * new one must pass its health check before the old one stops), then starts missing ones.
   * A failed roll leaves the replicas not yet replaced serving the previous version.
   */
  async apply(version: SpecVersion, replicas: number, options: RolloutOptions = {}): Promise<void> {
    const progress = options.onProgress ?? (() => {});
    // First, so a busy service port fails the apply before any replica changes.
    await this.expose(version.spec.service);
    for (const r of this.replicas.values()) {
      r.restartPolicy = version.spec.restartPolicy;
      r.graceMs = version.spec.terminationGracePeriodSeconds * 1000;
    }
    for (const index of [...this.replicas.keys()].filter((i) => i >= replicas).sort((a, b) => b - a)) {
      progress(`stopping replica ${this.name}-${index} (scale down to ${replicas})`);
      const gone = this.replicas.get(index)!;
      this.replicas.delete(index);
      await this.drain(gone);
      await gone.stop();
    }
    for (let index = 0; index < replicas; index++) {
      options.signal?.throwIfAborted();
      const current = this.replicas.get(index);
      if (current && current.version.specHash === version.specHash) {
        // Same spec: the supervisor already restarts it, unless its policy let it stay down.
        if (current.phase === 'exited' || current.phase === 'stopped')
          await this.replace(index, version, replicas, progress);
        continue;
      }
      if (!current || !current.running) {
        await this.replace(index, version, replicas, progress);
        continue;
      }
      await this.roll(current, version, replicas, options);
    }
    this.applied = { version, replicas };
  }

  /** Starts replica `index` afresh, stopping whatever is left of the previous one. */
  async replace(
    index: number,
    version: SpecVersion,
    replicas: number,
    progress: (m: string) => void = () => {},
  ): Promise<Replica> {
    const old = this.replicas.get(index);
    if (old) await old.stop();
    const port = await this.portFor(index, version, replicas);
    progress(`starting replica ${this.name}-${index}${port ? ` on port ${port}` : ''}`);
    const r = this.startReplica(index, version, port);
    this.replicas.set(index, r);
    return r;
  }

  private async roll(old: Replica, version: SpecVersion, replicas: number, options: RolloutOptions): Promise<void> {
    const progress = options.onProgress ?? (() => {});
    const port = await this.portFor(old.index, version, replicas);
    progress(`rolling replica ${old.name}: starting the new version${port ? ` on port ${port}` : ''}`);
    this.rollingReplica = old.name;
    const next = this.startReplica(old.index, version, port, true);
    try {
      await next.waitReady(options.signal);
    } catch (e) {
      await next.stop();
      const serving = [...this.replicas.values()].filter(
        (r) => r.running && r.version.specHash !== version.specHash,
      ).length;
      throw new ProviderError('PROCESS_ROLLOUT_FAILED', `rolling update stopped: ${(e as Error).message}`, {
        resource: this.ref,
        hint: `${serving} replica(s) keep serving the previous version. Read the log (${next.logPath} or \`sluice logs\`), fix the new version and commit again.`,
        cause: e,
      });
    } finally {
      this.rollingReplica = undefined;
    }
    next.candidate = false;
    this.replicas.set(old.index, next);
    progress(`rolling replica ${old.name}: new version healthy, stopping pid ${old.pid}`);
    await this.drain(old);
    await old.stop();
  }

  private startReplica(index: number, version: SpecVersion, port: number | undefined, candidate = false): Replica {
    const r = new Replica({ ...this.ctx, index }, version, port);
    r.candidate = candidate;
    try {
      r.start();
    } catch (e) {
      throw new ProviderError('PROCESS_SPAWN_FAILED', `replica ${r.name}: ${(e as Error).message}`, {
        resource: this.ref,
        field: 'spec.command',
        hint: 'Check that the command exists and is executable by the user Sluice runs as.',
      });
    }
    return r;
  }

  private async portFor(index: number, version: SpecVersion, replicas: number): Promise<number | undefined> {
    const base = version.spec.port;
    if (base === undefined) return undefined;
    const held = new Set<number>();
    for (const r of this.replicas.values()) if (r.port !== undefined && r.phase !== 'stopped') held.add(r.port);
    return allocatePort(this.ref, base, Math.max(replicas, index + 1), index, held);
  }

  /** Supervises a replica a previous Sluice started. Of two claiming one index, the older stays. */
  async adopt(record: ReplicaRecord, version: SpecVersion): Promise<Replica> {
    const r = new Replica({ ...this.ctx, index: record.index }, version, record.port);
    r.adopt(record);
    const other = this.replicas.get(record.index);
    if (other && other.running) {
      // A crash mid-roll left two; the older one was serving, the newer never proved itself.
      const keepOther = BigInt(other.identity().startTime || '0') <= BigInt(record.startTime || '0');
      const [keep, drop] = keepOther ? [other, r] : [r, other];
      this.ctx.emit(
        'replaced',
        `replica ${drop.name} (pid ${drop.pid}) duplicated pid ${keep.pid} after a crash mid-rollout; stopping it`,
      );
      await drop.stop();
      this.replicas.set(record.index, keep);
      return keep;
    }
    this.replicas.set(record.index, r);
    return r;
  }

  /**
   * Listens on the service address (or stops listening when there is none). Ready replicas
   * get the traffic; a rolling candidate joins once it is healthy, the replica it replaces
   * leaves before it is stopped.
   */
  async expose(at: ServiceAddress | undefined): Promise<void> {
    const current = this.service;
    if (current && at && current.at.port === at.port && current.at.address === at.address) {
      this.serviceProblem = undefined;
      return;
    }
    // A new port is taken up before the old one is let go, so a busy port keeps the old one
    // serving; the same port on another address has to be let go first.
    if (current && at && current.at.port === at.port) {
      this.service = undefined;
      await current.close();
    }
    const next = at && new ServiceListener({ port: at.port, address: at.address }, this.ref, () => this.readyPorts());
    if (next) {
      try {
        await next.listen();
      } catch (e) {
        // The apply stops here, before any replica changes, so the replicas alone would look
        // healthy (or, on a first apply, like a Process scaled to 0): health has to say it.
        const code = ((e as Error).cause as NodeJS.ErrnoException | undefined)?.code;
        this.serviceProblem =
          code === 'EADDRINUSE'
            ? `service port ${next.at.port} is taken by another program`
            : `cannot listen on service port ${next.at.port}: ${code ?? (e as Error).message}`;
        throw e;
      }
    }
    this.serviceProblem = undefined;
    this.service = next;
    if (this.service !== current) await current?.close();
  }

  /** Lets connections the service forwarded to a replica now out of rotation finish (up to 2 s). */
  private async drain(replica: Replica): Promise<void> {
    if (this.service && replica.port !== undefined)
      await this.service.drain(replica.port, Math.min(replica.graceMs, 2000));
  }

  private readyPorts(): number[] {
    return [...this.replicas.values()]
      .filter((r) => r.phase === 'ready' && r.port !== undefined)
      .sort((a, b) => a.index - b.index)
      .map((r) => r.port!);
  }

  async stopAll(): Promise<void> {
    await this.expose(undefined);
    await Promise.all([...this.replicas.values()].map((r) => r.stop()));
    this.replicas.clear();
  }

  /** Leaves the replicas running for the next Sluice to adopt; the service goes with Sluice. */
  async detachAll(): Promise<void> {
    await this.expose(undefined);
    for (const r of this.replicas.values()) r.detach();
  }

  view(): LiveProcessView {
    const first = [...this.replicas.values()][0];
    return {
      name: this.name,
      appliedReplicas: this.applied?.replicas,
      restartPolicy: first?.restartPolicy ?? this.applied?.version.spec.restartPolicy,
      terminationGracePeriodSeconds: first
        ? first.graceMs / 1000
        : this.applied?.version.spec.terminationGracePeriodSeconds,
      ...(this.service ? { service: { ...this.service.at } } : {}),
      replicas: [...this.replicas.values()]
        .sort((a, b) => a.index - b.index)
        .map((r) => ({
          index: r.index,
          pid: r.pid,
          running: r.running,
          specHash: r.version.specHash,
          spec: r.version.redacted,
          port: r.port,
        })),
    };
  }

  health(): ResourceHealth {
    const base = { key: processKey(this.name), kind: 'Process', name: this.name };
    const desired = this.applied?.replicas ?? this.replicas.size;
    const all = [...this.replicas.values()].sort((a, b) => a.index - b.index);
    const ready = all.filter((r) => r.phase === 'ready' && r.index < desired).length;
    const summary = `${ready}/${desired} replicas ready`;
    if (this.rollingReplica)
      return { ...base, status: 'Progressing', message: `${summary}; rolling ${this.rollingReplica}` };
    if (desired === 0 && all.length === 0) {
      // Nothing applied yet is only healthy if nothing was refused either.
      if (this.serviceProblem)
        return { ...base, status: 'Degraded', message: `no replica started; ${this.serviceProblem}` };
      return { ...base, status: 'Healthy', message: 'scaled to 0 replicas' };
    }

    const problems: string[] = this.serviceProblem ? [this.serviceProblem] : [];
    for (const r of all) {
      const s = r.status();
      if (r.phase === 'unhealthy')
        problems.push(`replica ${r.name} failing its health check: ${s.lastHealthError ?? 'unknown'}`);
      else if (r.phase === 'backoff' && s.crashes >= 2)
        problems.push(`replica ${r.name} crash-looping (${s.crashes} crashes in a row)`);
      else if (r.phase === 'exited')
        problems.push(`replica ${r.name} exited and is not restarted (restartPolicy ${r.restartPolicy})`);
      if (r.index >= desired) problems.push(`extra replica ${r.name}`);
    }
    for (let i = 0; i < desired; i++) if (!this.replicas.has(i)) problems.push(`replica ${this.name}-${i} not running`);

    if (!all.some((r) => r.running || r.phase === 'backoff') && desired > 0) {
      return {
        ...base,
        status: 'Missing',
        message: `no replica running (${desired} desired)${problems.length ? `; ${problems.join('; ')}` : ''}`,
      };
    }
    if (problems.length) return { ...base, status: 'Degraded', message: `${summary}; ${problems.join('; ')}` };
    if (ready < desired) {
      const starting = all.filter((r) => r.phase !== 'ready').map((r) => r.name);
      return { ...base, status: 'Progressing', message: `${summary}; starting ${starting.join(', ')}` };
    }
    return { ...base, status: 'Healthy', message: summary };
  }
}
