import type { ProviderEvent, ProviderLog, Scope } from '../types.js';
import type { LaunchTemplate } from './launch.js';
import type { Layout } from './layout.js';
import type { ProcessSpec } from './spec.js';
import type { RedactedSpec } from './spec-hash.js';
import type { StateStore } from './state-store.js';

/** One version of a Process spec, ready to start replicas from. */
export interface SpecVersion {
  spec: ProcessSpec;
  redacted: RedactedSpec;
  specHash: string;
  sealedSpec: string;
  template: LaunchTemplate;
  revision: string;
  reason: string;
}

export type ReplicaPhase = 'starting' | 'ready' | 'unhealthy' | 'backoff' | 'exited' | 'stopping' | 'stopped';

export interface SupervisorTuning {
  /** A replica healthy this long forgets its earlier crashes (backoff starts over). */
  backoffResetMs: number;
  /** Without a health check, a replica counts as ready once it stayed up this long. */
  readyWithoutCheckMs: number;
  /** How often adopted replicas (not our children, so no exit event) are looked up in /proc. */
  livenessPollMs: number;
  maxBackoffMs: number;
}

export interface ReplicaContext {
  scope: Scope;
  process: string;
  index: number;
  layout: Layout;
  store: StateStore;
  log: ProviderLog;
  tuning: SupervisorTuning;
  emit(type: ProviderEvent['type'], message: string): void;
}

export interface ReplicaStatus {
  name: string;
  index: number;
  pid?: number;
  port?: number;
  phase: ReplicaPhase;
  specHash: string;
  restarts: number;
  crashes: number;
  consecutiveFailures: number;
  lastHealthError?: string;
  lastExit?: { code: number | null; signal: string | null };
  adopted: boolean;
}
