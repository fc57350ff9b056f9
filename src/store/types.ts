import type { PlanSummary } from '../plan/types.js';
import type { LedgerStore } from './ledger-types.js';
import type { AccessStore } from './access-types.js';
import type { AuditStore } from './audit-types.js';

/** What started a sync. */
export type SyncTrigger = 'revision' | 'drift' | 'manual' | 'startup' | 'retry';

export type SyncResult = 'Running' | 'Succeeded' | 'Failed' | 'Skipped' | 'Superseded';

export interface SyncRecord {
  id: number;
  project: string;
  app: string;
  env: string;
  revision: string;
  trigger: SyncTrigger;
  /** Why, in words: "new revision 1a2b3c4 (changed apps/hello/overlays/dev)", "drift: replica hello-1 exited". */
  reason: string;
  /** Who asked, for manual syncs. */
  actor?: string;
  dryRun: boolean;
  result: SyncResult;
  plan?: PlanSummary;
  /** Health at the end of the sync. */
  health?: string;
  error?: { code: string; message: string; hint?: string; file?: string; line?: number; resource?: string };
  startedAt: string;
  finishedAt?: string;
  /** Milliseconds per phase: fetch, render, policy, plan, apply, health. */
  timings: Record<string, number>;
}

export type NewSync = Omit<SyncRecord, 'id' | 'result' | 'finishedAt' | 'timings' | 'plan' | 'health' | 'error'>;

export interface SyncFinish {
  result: Exclude<SyncResult, 'Running'>;
  plan?: PlanSummary;
  health?: string;
  error?: SyncRecord['error'];
  timings: Record<string, number>;
}

export interface EventRecord {
  id: number;
  time: string;
  project: string;
  app?: string;
  env?: string;
  /** `sync.started`, `sync.failed`, `drift.detected`, `replica.exited`, `source.unreachable`… */
  type: string;
  severity: 'info' | 'warning' | 'error';
  message: string;
  syncId?: number;
  data?: Record<string, unknown>;
}

export type NewEvent = Omit<EventRecord, 'id' | 'time'> & { time?: string };

export interface SyncQuery {
  project?: string;
  app?: string;
  env?: string;
  limit?: number;
  /** Only syncs that started before this id (paging). */
  beforeId?: number;
  /** Only syncs with this result. */
  result?: SyncResult;
  /** Only dry runs (true) or only real syncs (false). */
  dryRun?: boolean;
}

export interface EventQuery {
  project?: string;
  app?: string;
  env?: string;
  type?: string;
  limit?: number;
  sinceId?: number;
}

/**
 * Everything Sluice remembers. SQLite by default; PostgreSQL implements the same interface
 * when several controllers share state. Methods are async so both fit.
 */
export interface Store {
  startSync(sync: NewSync): Promise<SyncRecord>;
  finishSync(id: number, finish: SyncFinish): Promise<SyncRecord>;
  getSync(id: number): Promise<SyncRecord | undefined>;
  listSyncs(query?: SyncQuery): Promise<SyncRecord[]>;
  /** Marks syncs left Running by a controller that died as Failed. Returns how many. */
  abandonRunningSyncs(reason: string): Promise<number>;
  addEvent(event: NewEvent): Promise<EventRecord>;
  listEvents(query?: EventQuery): Promise<EventRecord[]>;
  /** The deployment ledger: changes, promotion requests, approvals, applied artifacts, verifications. */
  readonly ledger: LedgerStore;
  /** API tokens (hashes only). */
  readonly access: AccessStore;
  /** The audit trail of mutating API calls. */
  readonly audit: AuditStore;
  close(): Promise<void>;
}
