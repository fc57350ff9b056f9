import type { HealthStatus, Plan, ResourceHealth } from '../plan/types.js';
import type { SyncRecord } from '../store/types.js';

/**
 * Whether live matches what Git says for the revision the controller last rendered. `Failed`
 * is retried with backoff; `Stalled` waits for a new revision or a manual sync.
 */
export type SyncStatus = 'Synced' | 'OutOfSync' | 'Syncing' | 'Failed' | 'Stalled' | 'Unknown';

export interface StatusError {
  code: string;
  message: string;
  hint?: string;
  file?: string;
  line?: number;
  field?: string;
  resource?: string;
}

/** The controller's view of one app in one environment; what the matrix and `sluice status` show. */
export interface AppEnvStatus {
  app: string;
  env: string;
  target: string;
  provider: string;
  /** Revision last applied successfully. */
  syncedRevision?: string;
  /** Newest revision the controller has rendered for this app × env. */
  desiredRevision?: string;
  sync: SyncStatus;
  health: HealthStatus;
  /** Why health is Unknown: the target did not answer, or could not be started. */
  healthReason?: string;
  /** Set while live differs from desired although the revision did not change. */
  drift?: { since: string; causes: string[] };
  /** Why the scope is OutOfSync or Failed, in words. */
  reason?: string;
  /** The error of the last failed render/policy/apply, with file and line. */
  error?: StatusError;
  lastSync?: SyncRecord;
  /** Consecutive transient failures, and when the next attempt is due, while `Failed`. */
  attempts?: number;
  nextAttemptAt?: string;
  /** Verdict of the checks run after the last sync (environments with `verify:`). */
  verification?: {
    result: 'Passed' | 'Failed';
    at: string;
    checks: { name: string; url: string; passed: boolean; message: string }[];
  };
  resources: ResourceHealth[];
  /** Auto-sync off: changes wait for `sluice sync`. */
  autoSync: boolean;
  selfHeal: boolean;
}

export interface SourceStatus {
  url: string;
  branch: string;
  revision?: string;
  lastFetchAt?: string;
  error?: StatusError;
  nextRetryAt?: string;
}

export interface ProjectStatus {
  project: string;
  source: SourceStatus;
  /** Error loading sluice.yaml at the newest revision (the last good project stays in force). */
  projectError?: StatusError;
  environments: { name: string; target: string; provider: string; protected: boolean }[];
  apps: AppEnvStatus[];
}

export interface AppEnvDetail {
  status: AppEnvStatus;
  plan?: Plan;
  syncs: SyncRecord[];
}
