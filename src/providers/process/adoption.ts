import type { ProviderEvent, ProviderLog, Scope } from '../types.js';
import { scopeId } from '../types.js';
import type { Layout } from './layout.js';
import { replicaName } from './layout.js';
import { findMarkedProcesses, isSameProcess, readProcStat, signalGroup } from './proc.js';
import type { SpecVersion } from './replica.js';
import type { Sealer } from './sealing.js';
import type { ProcessSpec } from './spec.js';
import { stableJson, type RedactedSpec } from './spec-hash.js';
import { buildSpecVersion } from './spec-version.js';
import type { ReplicaRecord, StateStore } from './state-store.js';
import type { ProcessWorkload } from './workload.js';

export interface RecoveryDeps {
  layout: Layout;
  store: StateStore;
  sealer: Sealer;
  log: ProviderLog;
  workload(scope: Scope, process: string): ProcessWorkload;
  emit(scope: Scope, process: string | undefined, type: ProviderEvent['type'], message: string): void;
}

/**
 * Rebuilds supervision after Sluice (re)starts: live replicas whose pid and start time match
 * their state file are adopted, dead ones are replaced, and processes that carry this data
 * dir's owner mark but have no state file (a crash between spawn and state write) are stopped.
 * The outcome: every replica supervised once, none orphaned, none duplicated.
 */
export async function recover(deps: RecoveryDeps): Promise<void> {
  const { store } = deps;
  for (const scope of store.scopes()) {
    const applied = store.readApplied(scope);
    for (const [name, entry] of Object.entries(applied?.processes ?? {})) {
      const version = await versionOf(deps, scope, name, entry.sealedSpec, entry.revision, entry.reason, entry.spec);
      if (version) deps.workload(scope, name).applied = { version, replicas: version.spec.replicas };
    }
    const records = store.readReplicas(scope).sort((a, b) => a.index - b.index);
    for (const record of records.filter((r) => isSameProcess(r.pid, r.startTime))) {
      await adoptOne(deps, scope, record);
    }
    for (const record of records.filter((r) => !isSameProcess(r.pid, r.startTime))) {
      store.removeReplica(record);
      if (applied?.stoppedAt) continue;
      await replaceOne(deps, scope, record);
    }
    for (const [name, entry] of Object.entries(applied?.processes ?? {})) {
      const w = deps.workload(scope, name);
      for (let index = 0; index < entry.spec.replicas && !applied?.stoppedAt; index++) {
        if (!w.replicas.has(index))
          deps.emit(
            scope,
            name,
            'drift',
            `replica ${replicaName(name, index)} is not running and has no state to restart it from`,
          );
      }
      for (const index of w.replicas.keys()) {
        if (index >= entry.spec.replicas) {
          deps.emit(
            scope,
            name,
            'drift',
            `extra replica ${replicaName(name, index)} runs beyond the ${entry.spec.replicas} applied`,
          );
        }
      }
      if (!applied?.stoppedAt && w.applied) await exposeAgain(deps, scope, name);
    }
  }
}

/** The service address goes away with the Sluice that listened on it; the next one takes it up. */
async function exposeAgain(deps: RecoveryDeps, scope: Scope, name: string): Promise<void> {
  const w = deps.workload(scope, name);
  try {
    await w.expose(w.applied?.version.spec.service);
  } catch (e) {
    deps.emit(scope, name, 'drift', (e as Error).message);
  }
}

async function adoptOne(deps: RecoveryDeps, scope: Scope, record: ReplicaRecord): Promise<void> {
  const name = replicaName(record.process, record.index);
  let version = await versionOf(
    deps,
    scope,
    record.process,
    record.sealedSpec,
    record.revision,
    record.reason,
    record.spec,
  );
  let canRestart = true;
  if (!version) {
    // Without the sealed spec it cannot be restarted faithfully; supervise it, but let it stay down.
    version = fallbackVersion(deps, scope, record);
    canRestart = false;
  }
  const r = await deps.workload(scope, record.process).adopt(record, version);
  if (!canRestart) r.restartPolicy = 'Never';
  if (r.pid === record.pid) deps.emit(scope, record.process, 'adopted', `replica ${name} (pid ${record.pid}) adopted`);
}

async function replaceOne(deps: RecoveryDeps, scope: Scope, record: ReplicaRecord): Promise<void> {
  const name = replicaName(record.process, record.index);
  const w = deps.workload(scope, record.process);
  if (w.replicas.get(record.index)?.running) return;
  if (record.spec.restartPolicy === 'Never') {
    deps.emit(
      scope,
      record.process,
      'drift',
      `replica ${name} (pid ${record.pid}) is gone and restartPolicy Never keeps it stopped`,
    );
    return;
  }
  const version = await versionOf(
    deps,
    scope,
    record.process,
    record.sealedSpec,
    record.revision,
    record.reason,
    record.spec,
  );
  if (!version) {
    deps.emit(
      scope,
      record.process,
      'drift',
      `replica ${name} (pid ${record.pid}) is gone and its spec could not be recovered; the next apply starts it`,
    );
    return;
  }
  const replicas = Math.max(w.applied?.replicas ?? 0, record.index + 1);
  try {
    const r = await w.replace(record.index, version, replicas);
    deps.emit(scope, record.process, 'replaced', `replica ${name} (pid ${record.pid}) was gone; started pid ${r.pid}`);
  } catch (e) {
    deps.emit(
      scope,
      record.process,
      'drift',
      `replica ${name} (pid ${record.pid}) is gone and could not be restarted: ${(e as Error).message}`,
    );
  }
}

/** Stops processes carrying our owner mark that no state file accounts for. */
export async function stopOrphans(
  deps: RecoveryDeps,
  knownIds: ReadonlySet<string>,
  knownPids: ReadonlySet<number>,
): Promise<number> {
  const orphans = findMarkedProcesses(deps.layout.owner).filter(
    (m) => !(m.replicaId && knownIds.has(m.replicaId)) && !knownPids.has(m.pgid) && !knownPids.has(m.pid),
  );
  for (const o of orphans) {
    deps.log.warn({ pid: o.pid, replicaId: o.replicaId }, 'stopping a process Sluice started but has no state for');
    const scope = scopeOfReplicaId(o.replicaId);
    if (scope)
      deps.emit(
        scope.scope,
        undefined,
        'replaced',
        `orphan ${scope.replica} (pid ${o.pid}) had no state file; stopping it`,
      );
    signalOrphan(o.pid, o.pgid, 'SIGTERM');
  }
  const started = readStart(orphans.map((o) => o.pid));
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && orphans.some((o) => alive(o.pid, started)))
    await new Promise((r) => setTimeout(r, 50));
  for (const o of orphans) if (alive(o.pid, started)) signalOrphan(o.pid, o.pgid, 'SIGKILL');
  return orphans.length;
}

function signalOrphan(pid: number, pgid: number, signal: NodeJS.Signals): void {
  // Only a group it leads is ours to signal; otherwise just the process.
  if (pgid === pid) signalGroup(pgid, signal);
  else {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function readStart(pids: number[]): Map<number, string> {
  return new Map(pids.map((p) => [p, readProcStat(p)?.startTime ?? '']));
}

function alive(pid: number, started: Map<number, string>): boolean {
  return isSameProcess(pid, started.get(pid) ?? '');
}

function scopeOfReplicaId(id: string | undefined): { scope: Scope; replica: string } | undefined {
  const parts = id?.split('/');
  if (!parts || parts.length < 5) return undefined;
  return { scope: { project: parts[0]!, env: parts[1]!, app: parts[2]! }, replica: parts[3]! };
}

const versions = new WeakMap<RecoveryDeps, Map<string, SpecVersion>>();

async function versionOf(
  deps: RecoveryDeps,
  scope: Scope,
  name: string,
  sealed: string,
  revision: string,
  reason: string,
  recorded?: RedactedSpec,
): Promise<SpecVersion | undefined> {
  let spec: ProcessSpec;
  try {
    spec = deps.sealer.unseal<ProcessSpec>(sealed);
    if (recorded) deps.sealer.learnFrom({ ...spec, env: {} }, { ...recorded, env: {} });
  } catch (e) {
    deps.log.error(
      { process: name, err: (e as Error).message },
      'cannot unseal the recorded spec (was seal.key replaced?)',
    );
    return undefined;
  }
  // Replicas of one spec share one version: the artifact is verified once, not per replica.
  const cacheKey = `${scopeId(scope)}\0${name}\0${revision}\0${stableJson(spec)}`;
  let cache = versions.get(deps);
  if (!cache) versions.set(deps, (cache = new Map()));
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  try {
    const version = await buildSpecVersion(deps.layout, deps.sealer, scope, name, spec, revision, reason);
    cache.set(cacheKey, version);
    return version;
  } catch (e) {
    deps.log.warn({ process: name, err: (e as Error).message }, 'recorded spec cannot be started again as is');
    return undefined;
  }
}

function fallbackVersion(deps: RecoveryDeps, scope: Scope, record: ReplicaRecord): SpecVersion {
  return {
    spec: record.spec,
    redacted: record.spec,
    specHash: record.specHash,
    sealedSpec: record.sealedSpec,
    template: {
      file: record.spec.command,
      argv0: record.spec.command,
      args: record.spec.args,
      cwd: record.spec.workingDir ?? deps.layout.workDir(scope),
      env: {},
    },
    revision: record.revision,
    reason: record.reason,
  };
}
