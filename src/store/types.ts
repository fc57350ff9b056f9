import type { PlanSummary } from '../plan/types.js';
import type { LedgerChainStore } from './ledger-chain-types.js';
import type { Fence, LeaseScope, LeaseStore } from './lease-types.js';
import type { HeartbeatStore } from './heartbeat-types.js';
import type { HoldStore } from './hold-types.js';
import type { LedgerStore } from './ledger-types.js';
import type { WebhookDeliveryStore } from './webhook-types.js';
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
  /** The controller instance that ran it (the store's `instance`); unset for syncs recorded before owners were. */
  owner?: string;
  /** Milliseconds per phase: fetch, render, policy, plan, apply, health. */
  timings: Record<string, number>;
}

/** What a scope's history says now: its newest real (not dry-run) sync, and its newest real one that succeeded. */
export interface LatestSyncs {
  lastSync: SyncRecord;
  lastSucceeded?: SyncRecord;
}

export type NewSync = Omit<
  SyncRecord,
  'id' | 'result' | 'finishedAt' | 'timings' | 'plan' | 'health' | 'error' | 'owner'
>;

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

/** An app × environment of a project, as syncs name it. */
export interface SyncScope {
  app: string;
  env: string;
}

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

/** How a store is opened: where its files live and which controller instance writes through it. */
export interface StoreOptions {
  /** Sluice's data directory; the SQLite file lives here. */
  dataDir: string;
  /**
   * The controller instance writing through this store, stable across its restarts (a host
   * name, a pod name). Syncs are recorded with it, and only its own are abandoned on restart.
   */
  instance?: string;
}

/**
 * Everything Sluice remembers. SQLite by default; PostgreSQL implements the same interface
 * when several controllers share state. Methods are async so both fit.
 */
export interface Store {
  startSync(sync: NewSync): Promise<SyncRecord>;
  /**
   * With `fence`, the result is written only if the sync's scope is still leased to that holder
   * under that token; otherwise LeaseLostError and nothing is written.
   */
  finishSync(id: number, finish: SyncFinish, fence?: Fence): Promise<SyncRecord>;
  getSync(id: number): Promise<SyncRecord | undefined>;
  listSyncs(query?: SyncQuery): Promise<SyncRecord[]>;
  /**
   * The latest syncs of each of `scopes` in one query, however many: what a controller restores
   * scopes from when it first files them. Dry runs are left out, and so are scopes no real sync
   * ran in; a sync still running is a scope's last.
   */
  latestSyncs(project: string, scopes: readonly SyncScope[]): Promise<LatestSyncs[]>;
  /**
   * Marks syncs this instance left Running (it died and restarted) as Failed. Syncs another
   * instance owns are left alone: that instance may be running them now. Returns how many.
   */
  abandonRunningSyncs(reason: string): Promise<number>;
  /**
   * Marks the scope's syncs other instances left Running as Failed: called by the controller
   * that just took the scope's lease over (their holder died or lost it; its token fences any
   * late write of theirs). Returns how many.
   */
  abandonScopeSyncs(scope: LeaseScope, reason: string): Promise<number>;
  addEvent(event: NewEvent): Promise<EventRecord>;
  listEvents(query?: EventQuery): Promise<EventRecord[]>;
  /** The deployment ledger: changes, promotion requests, approvals, applied artifacts, verifications. */
  readonly ledger: LedgerStore;
  /** The ledger's hash chain, to verify that no entry was altered or removed. */
  readonly ledgerChain: LedgerChainStore;
  /** Webhook deliveries already acted on. */
  readonly webhooks: WebhookDeliveryStore;
  /** Leases on app × environment scopes, for several controllers on one store. */
  readonly leases: LeaseStore;
  /** Which controllers are alive, for fair shares of the leases. */
  readonly heartbeats: HeartbeatStore;
  /**
   * True when several processes may write through this store at once (PostgreSQL): the
   * controller then shares scopes through leases. A store one process owns (SQLite) leaves it
   * unset and its controller holds every scope.
   */
  readonly shared?: boolean;
  /**
   * Runs `fn` with a store whose every write commits together or not at all. Writes that belong
   * together (a merged promotion: its approvals, its state, the change it made) go through the
   * store `fn` is given, never through this one, which waits until the transaction ends.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Digests held in an environment after their verification failed there. */
  readonly holds: HoldStore;
  /** API tokens (hashes only). */
  readonly access: AccessStore;
  /** The audit trail of mutating API calls. */
  readonly audit: AuditStore;
  close(): Promise<void>;
}
