import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, writeSync } from 'node:fs';
import { scopeId } from '../types.js';
import { describeExit, restartDelayMs } from './backoff.js';
import { runProbe } from './health-check.js';
import type { ProbeResult } from './health-check.js';
import { replicaEnv } from './launch.js';
import { replicaName } from './layout.js';
import { openReplicaLog } from './logs.js';
import { isSameProcess, readProcStat } from './proc.js';
import type { RestartPolicy } from './spec.js';
import type { ReplicaRecord } from './state-store.js';
import type { ReplicaContext, ReplicaPhase, ReplicaStatus, SpecVersion } from './supervision-types.js';
import { terminateGroup, Waiters } from './termination.js';

export type {
  ReplicaContext,
  ReplicaPhase,
  ReplicaStatus,
  SpecVersion,
  SupervisorTuning,
} from './supervision-types.js';

/** Why a replica never became ready. */
export class ReplicaNotReady extends Error {}

/**
 * Supervises one replica: spawns it (or adopts it), probes its health, restarts it after
 * exits according to restartPolicy with backoff, and stops it gracefully.
 */
export class Replica {
  readonly name: string;
  phase: ReplicaPhase = 'starting';
  pid: number | undefined;
  /** A replica started by a rolling update: it is not restarted, it either proves itself or goes. */
  candidate = false;
  restartPolicy: RestartPolicy;
  graceMs: number;

  private startTime = '';
  private record: ReplicaRecord | undefined;
  private child: ChildProcess | undefined;
  private adopted = false;
  private detached = false;
  private restarts = 0;
  private crashes = 0;
  private consecutiveFailures = 0;
  private lastProbe: ProbeResult | undefined;
  private lastExit: { code: number | null; signal: string | null } | undefined;
  private timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Waiters();

  constructor(
    private readonly ctx: ReplicaContext,
    public version: SpecVersion,
    public readonly port: number | undefined,
  ) {
    this.name = replicaName(ctx.process, ctx.index);
    this.restartPolicy = version.spec.restartPolicy;
    this.graceMs = version.spec.terminationGracePeriodSeconds * 1000;
  }

  get index(): number {
    return this.ctx.index;
  }

  get logPath(): string {
    return this.ctx.layout.logFile(this.ctx.scope, this.ctx.process, this.ctx.index);
  }

  /** Spawns the process; throws only when it could not be spawned at all. */
  start(): void {
    const v = this.version;
    const replicaId = `${scopeId(this.ctx.scope)}/${this.name}/${randomUUID().slice(0, 8)}`;
    const fd = openReplicaLog(this.logPath);
    let child: ChildProcess;
    try {
      writeSync(
        fd,
        `--- sluice: starting ${this.name} (revision ${v.revision}, spec ${v.specHash}) at ${new Date().toISOString()}\n`,
      );
      child = spawn(v.template.file, v.template.args, {
        argv0: v.template.argv0,
        cwd: v.template.cwd,
        env: replicaEnv(v.template, { index: this.index, port: this.port, replicaId, owner: this.ctx.layout.owner }),
        // Own session and process group: a terminal's Ctrl-C reaches Sluice only, and a stop
        // can signal everything the replica started.
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) {
      const failed = new Promise<Error>((resolve) => child.once('error', resolve));
      void failed.then((e) => this.ctx.log.warn({ replica: this.name, err: e.message }, 'spawn failed'));
      throw new ReplicaNotReady(`could not start ${v.template.file}`);
    }
    child.unref();
    // An 'error' after a successful spawn (a failed kill, say) must not crash Sluice.
    child.on('error', (e) => this.ctx.log.warn({ replica: this.name, err: e.message }, 'replica process error'));
    this.child = child;
    this.pid = child.pid;
    this.startTime = readProcStat(child.pid)?.startTime ?? '';
    this.adopted = false;
    this.phase = 'starting';
    this.consecutiveFailures = 0;
    this.lastProbe = undefined;
    this.writeRecord(replicaId, v);
    child.once('exit', (code, signal) => {
      if (this.child === child) this.onExit(code, signal);
    });
    this.watchReadiness(v.spec.healthCheck ? v.spec.healthCheck.initialDelaySeconds * 1000 : 0);
  }

  /** Takes over a process a previous Sluice started; it is not our child, so /proc is polled. */
  adopt(record: ReplicaRecord): void {
    this.record = record;
    this.pid = record.pid;
    this.startTime = record.startTime;
    this.adopted = true;
    this.phase = 'starting';
    this.every(this.ctx.tuning.livenessPollMs, () => {
      if (this.pid === record.pid && !isSameProcess(record.pid, record.startTime)) this.onExit(null, null);
    });
    this.watchReadiness(0);
  }

  /** Resolves once ready; rejects when the replica fails, exits, or the signal aborts. */
  waitReady(signal?: AbortSignal): Promise<void> {
    if (this.phase === 'ready') return Promise.resolve();
    if (this.phase === 'exited' || this.phase === 'stopped')
      return Promise.reject(new ReplicaNotReady(this.failureText('it is not running')));
    return this.waiters.wait(
      signal,
      () => new ReplicaNotReady(this.failureText('the apply timed out or was cancelled before it became healthy')),
    );
  }

  /** SIGTERM to the whole group, SIGKILL after the grace period. */
  async stop(): Promise<void> {
    this.clearTimers();
    this.settle(new ReplicaNotReady(this.failureText('it was stopped')));
    const pid = this.pid;
    if (pid === undefined || this.phase === 'stopped' || this.phase === 'exited' || this.phase === 'backoff') {
      this.phase = 'stopped';
      this.forgetRecord();
      return;
    }
    this.phase = 'stopping';
    if (await terminateGroup(pid, this.startTime, this.graceMs)) {
      this.ctx.log.warn({ replica: this.name, pid }, 'did not stop within the grace period; sent SIGKILL');
    }
    this.phase = 'stopped';
    this.child = undefined;
    this.forgetRecord();
  }

  /** Stops supervising without touching the process, which keeps running for a later adoption. */
  detach(): void {
    this.detached = true;
    this.clearTimers();
    this.child?.removeAllListeners('exit');
    this.child = undefined;
    this.settle(new ReplicaNotReady(this.failureText('Sluice stopped supervising it')));
  }

  status(): ReplicaStatus {
    return {
      name: this.name,
      index: this.index,
      pid: this.pid,
      port: this.port,
      phase: this.phase,
      specHash: this.version.specHash,
      restarts: this.restarts,
      crashes: this.crashes,
      consecutiveFailures: this.consecutiveFailures,
      lastHealthError: this.lastProbe && !this.lastProbe.ok ? this.lastProbe.message : undefined,
      lastExit: this.lastExit,
      adopted: this.adopted,
    };
  }

  identity(): { pid: number | undefined; startTime: string; replicaId: string | undefined } {
    return { pid: this.pid, startTime: this.startTime, replicaId: this.record?.replicaId };
  }

  get running(): boolean {
    return this.phase === 'starting' || this.phase === 'ready' || this.phase === 'unhealthy';
  }

  private onExit(code: number | null, signal: string | null): void {
    const pid = this.pid;
    this.clearTimers();
    this.child = undefined;
    this.forgetRecord();
    if (this.detached || this.phase === 'stopping' || this.phase === 'stopped') return;
    this.lastExit = { code, signal };
    this.pid = undefined;
    const how = describeExit(code, signal);
    this.ctx.emit('exited', `replica ${this.name} (pid ${pid}) ${how}`);
    if (this.candidate) {
      this.phase = 'exited';
      this.settle(new ReplicaNotReady(this.failureText(`it ${how}`)));
      return;
    }
    const failed = code !== 0 || signal !== null;
    if (this.restartPolicy === 'Never' || (this.restartPolicy === 'OnFailure' && !failed)) {
      this.phase = 'exited';
      this.ctx.emit('drift', `replica ${this.name} ${how} and restartPolicy ${this.restartPolicy} keeps it stopped`);
      return;
    }
    this.crashes++;
    const delay = restartDelayMs(this.crashes, this.ctx.tuning.maxBackoffMs);
    this.phase = 'backoff';
    this.after(delay, () => this.restart(delay));
  }

  private restart(delay: number): void {
    if (this.phase !== 'backoff') return;
    try {
      this.start();
    } catch (e) {
      this.ctx.emit('exited', `replica ${this.name} could not be restarted: ${(e as Error).message}`);
      this.crashes++;
      const next = restartDelayMs(this.crashes, this.ctx.tuning.maxBackoffMs);
      this.after(next, () => this.restart(next));
      return;
    }
    this.restarts++;
    const wait = delay ? ` after ${delay / 1000}s` : '';
    this.ctx.emit('restarted', `replica ${this.name} restarted as pid ${this.pid}${wait} (restart ${this.restarts})`);
  }

  private watchReadiness(firstDelayMs: number): void {
    const check = this.version.spec.healthCheck;
    const pid = this.pid;
    if (!check) {
      this.after(this.adopted ? 0 : this.ctx.tuning.readyWithoutCheckMs, () => {
        if (this.pid === pid && this.phase === 'starting') this.markReady();
      });
      return;
    }
    const probe = async () => {
      // Exec checks see what the replica sees, PORT included.
      const env =
        this.port === undefined ? this.version.template.env : { ...this.version.template.env, PORT: String(this.port) };
      const target = { port: this.port, cwd: this.version.template.cwd, env };
      const result = await runProbe(check, target);
      if (this.pid !== pid || this.detached || !this.running) return;
      this.onProbe(result, check.failureThreshold);
      this.after(check.intervalSeconds * 1000, probe);
    };
    this.after(firstDelayMs, probe);
  }

  private onProbe(result: ProbeResult, threshold: number): void {
    this.lastProbe = result;
    if (result.ok) {
      this.consecutiveFailures = 0;
      if (this.phase !== 'ready') this.markReady();
      return;
    }
    this.consecutiveFailures++;
    if (this.consecutiveFailures < threshold || this.phase === 'unhealthy') return;
    this.phase = 'unhealthy';
    this.ctx.emit(
      'unhealthy',
      `replica ${this.name} (pid ${this.pid}) failed its health check ${this.consecutiveFailures} times: ${result.message}`,
    );
    if (this.candidate) this.settle(new ReplicaNotReady(this.failureText('it failed its health check')));
  }

  private markReady(): void {
    this.phase = 'ready';
    this.ctx.emit('healthy', `replica ${this.name} (pid ${this.pid}) is healthy`);
    const pid = this.pid;
    this.after(this.ctx.tuning.backoffResetMs, () => {
      if (this.pid === pid && this.phase === 'ready') this.crashes = 0;
    });
    this.settle();
  }

  private failureText(why: string): string {
    const parts = [`replica ${this.name}${this.pid ? ` (pid ${this.pid})` : ''} did not become healthy: ${why}`];
    if (this.lastProbe && !this.lastProbe.ok) parts.push(`last health check: ${this.lastProbe.message}`);
    if (this.lastExit) parts.push(`exit: ${describeExit(this.lastExit.code, this.lastExit.signal)}`);
    return parts.join('; ');
  }

  private settle(error?: Error): void {
    this.waiters.settle(error);
  }

  private writeRecord(replicaId: string, v: SpecVersion): void {
    const { scope } = this.ctx;
    this.record = {
      version: 1,
      project: scope.project,
      app: scope.app,
      env: scope.env,
      process: this.ctx.process,
      index: this.index,
      replicaId,
      pid: this.pid!,
      startTime: this.startTime,
      specHash: v.specHash,
      port: this.port,
      logPath: this.logPath,
      revision: v.revision,
      reason: v.reason,
      startedAt: new Date().toISOString(),
      spec: v.redacted,
      sealedSpec: v.sealedSpec,
    };
    this.ctx.store.writeReplica(this.record);
  }

  private forgetRecord(): void {
    if (this.record) this.ctx.store.removeReplica(this.record);
    this.record = undefined;
  }

  private after(ms: number, fn: () => void | Promise<void>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      void fn();
    }, ms);
    this.timers.add(t);
  }

  private every(ms: number, fn: () => void): void {
    this.timers.add(setInterval(fn, ms));
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
