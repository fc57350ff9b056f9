import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scope } from '../types.js';
import type { Layout } from './layout.js';
import type { RedactedSpec } from './spec-hash.js';

/** One replica process, as recorded when it was spawned. */
export interface ReplicaRecord {
  version: 1;
  project: string;
  app: string;
  env: string;
  process: string;
  index: number;
  /** Unique per spawn; also set as SLUICE_REPLICA_ID in the child's environment. */
  replicaId: string;
  pid: number;
  /** /proc/<pid>/stat field 22: with the pid, the process's identity. */
  startTime: string;
  specHash: string;
  port?: number;
  logPath: string;
  revision: string;
  reason: string;
  startedAt: string;
  spec: RedactedSpec;
  /** The full spec (env values included), sealed; lets a restarted Sluice restart this replica. */
  sealedSpec: string;
}

export interface AppliedProcess {
  specHash: string;
  spec: RedactedSpec;
  sealedSpec: string;
  revision: string;
  reason: string;
  appliedAt: string;
}

/** What the last successful apply asked for in one scope. */
export interface AppliedRecord {
  version: 1;
  project: string;
  app: string;
  env: string;
  processes: Record<string, AppliedProcess>;
  /** Set when Sluice stopped the workloads on purpose; a restart then does not revive them. */
  stoppedAt?: string;
}

export class StateStore {
  constructor(private readonly layout: Layout) {}

  writeReplica(record: ReplicaRecord): void {
    const scope = { project: record.project, app: record.app, env: record.env };
    writeAtomic(this.layout.replicaFile(scope, record.process, record.index, record.pid), record);
  }

  removeReplica(record: Pick<ReplicaRecord, 'project' | 'app' | 'env' | 'process' | 'index' | 'pid'>): void {
    const scope = { project: record.project, app: record.app, env: record.env };
    rmSync(this.layout.replicaFile(scope, record.process, record.index, record.pid), { force: true });
  }

  readApplied(scope: Scope): AppliedRecord | undefined {
    return readJson<AppliedRecord>(this.layout.appliedFile(scope));
  }

  writeApplied(record: AppliedRecord): void {
    writeAtomic(this.layout.appliedFile(record), record);
  }

  readReplicas(scope: Scope): ReplicaRecord[] {
    const dir = this.layout.stateDir(scope);
    const out: ReplicaRecord[] = [];
    for (const f of safeReaddir(dir)) {
      if (!f.endsWith('.json') || f === 'applied.json') continue;
      const r = readJson<ReplicaRecord>(join(dir, f));
      if (r?.version === 1) out.push(r);
    }
    return out;
  }

  /** Every scope with a state directory. */
  scopes(): Scope[] {
    const root = this.layout.stateRoot;
    const out: Scope[] = [];
    for (const project of safeReaddir(root)) {
      for (const env of safeReaddir(join(root, project))) {
        for (const app of safeReaddir(join(root, project, env))) {
          if (safeReaddir(join(root, project, env, app)).some((f) => f.endsWith('.json')))
            out.push({ project, env, app });
        }
      }
    }
    return out;
  }

  removeScope(scope: Scope): void {
    rmSync(this.layout.stateDir(scope), { recursive: true, force: true });
  }
}

/** Temp file + rename, so a crash never leaves a half-written state file behind. */
export function writeAtomic(path: string, value: unknown): void {
  const dir = path.slice(0, path.lastIndexOf('/'));
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
