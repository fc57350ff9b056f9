import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  EventQuery,
  EventRecord,
  LatestSyncs,
  NewEvent,
  NewSync,
  Store,
  SyncFinish,
  SyncQuery,
  SyncRecord,
  SyncScope,
} from '../types.js';
import type { HoldStore } from '../hold-types.js';
import type { LedgerStore } from '../ledger-types.js';
import type { LedgerChainStore } from '../ledger-chain-types.js';
import type { Fence, LeaseScope, LeaseStore } from '../lease-types.js';
import { leaseLost } from '../errors.js';
import { SqliteLeases } from './leases.js';
import { SqliteHeartbeats } from './heartbeats.js';
import type { HeartbeatStore } from '../heartbeat-types.js';
import { SqliteHolds } from './holds.js';
import type { AccessStore } from '../access-types.js';
import type { AuditStore } from '../audit-types.js';
import { SqliteAccess } from './access.js';
import { SqliteAudit } from './audit.js';
import { SqliteLedger } from './ledger.js';
import { SqliteLedgerChain } from './ledger-chain.js';
import type { WebhookDeliveryStore } from '../webhook-types.js';
import { SqliteWebhookDeliveries } from './webhooks.js';
import { migrations } from './migrations.js';
import { latestOf, rowToEvent, rowToSync, type EventRow, type SyncRow } from '../rows.js';
import { Turns, waitingTurns } from './turns.js';

/** The default store: one SQLite file in Sluice's data directory (WAL, so the CLI can read while the controller writes). */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  readonly ledger: LedgerStore;
  readonly ledgerChain: LedgerChainStore;
  readonly webhooks: WebhookDeliveryStore;
  readonly leases: LeaseStore;
  readonly heartbeats: HeartbeatStore;
  private readonly turns = new Turns();
  private readonly instance: string;
  readonly holds: HoldStore;
  readonly access: AccessStore;
  readonly audit: AuditStore;

  /**
   * `instance`: the controller writing through this store (see StoreOptions). `now`: the clock
   * leases and heartbeats expire by (tests pass a fake one).
   */
  constructor(path: string, options: { instance?: string; now?: () => number } = {}) {
    this.instance = options.instance ?? 'local';
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.ledger = new SqliteLedger(this.db);
    this.holds = new SqliteHolds(this.db);
    this.ledgerChain = new SqliteLedgerChain(this.db);
    this.webhooks = new SqliteWebhookDeliveries(this.db);
    this.leases = new SqliteLeases(this.db, options.now ?? Date.now);
    this.heartbeats = new SqliteHeartbeats(this.db, options.now ?? Date.now);
    this.access = new SqliteAccess(this.db);
    this.audit = new SqliteAudit(this.db);
    // What callers get is the store that waits for an open transaction to end; the
    // transaction itself works on this object directly.
    return waitingTurns(this, this.turns);
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    // Called from inside a transaction (callers outside wait for it to end): one transaction.
    if (this.turns.busy) return fn(this);
    return this.turns.transaction(this.db, () => fn(this));
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
    );
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        m.run?.(this.db);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(m.version, m.name, new Date().toISOString());
      })();
    }
  }

  /** Highest applied migration, for diagnostics and tests. */
  async schemaVersion(): Promise<number> {
    const row = this.db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
    return row.v ?? 0;
  }

  async startSync(sync: NewSync): Promise<SyncRecord> {
    const info = this.db
      .prepare(
        `INSERT INTO syncs (project, app, env, revision, trigger, reason, actor, dry_run, result, started_at, owner)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'Running', ?, ?)`,
      )
      .run(
        sync.project,
        sync.app,
        sync.env,
        sync.revision,
        sync.trigger,
        sync.reason,
        sync.actor ?? null,
        sync.dryRun ? 1 : 0,
        sync.startedAt,
        this.instance,
      );
    return (await this.getSync(Number(info.lastInsertRowid)))!;
  }

  async finishSync(id: number, finish: SyncFinish, fence?: Fence): Promise<SyncRecord> {
    const fenced = fence ? ` AND ${HOLDS_LEASE}` : '';
    const changed = this.db
      .prepare(
        `UPDATE syncs SET result = ?, plan = ?, health = ?, error = ?, finished_at = ?, timings = ? WHERE id = ?${fenced}`,
      )
      .run(
        finish.result,
        finish.plan ? JSON.stringify(finish.plan) : null,
        finish.health ?? null,
        finish.error ? JSON.stringify(finish.error) : null,
        new Date().toISOString(),
        JSON.stringify(finish.timings),
        id,
        ...(fence ? [fence.holder, fence.token] : []),
      ).changes;
    const rec = await this.getSync(id);
    if (!rec) throw new Error(`sync ${id} does not exist`);
    if (!changed) throw leaseLost(rec, fence!);
    return rec;
  }

  async getSync(id: number): Promise<SyncRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM syncs WHERE id = ?').get(id) as SyncRow | undefined;
    return row ? rowToSync(row) : undefined;
  }

  async listSyncs(query: SyncQuery = {}): Promise<SyncRecord[]> {
    const { where, params } = scopeFilter(query);
    if (query.beforeId !== undefined) {
      where.push('id < ?');
      params.push(query.beforeId);
    }
    if (query.result !== undefined) {
      where.push('result = ?');
      params.push(query.result);
    }
    if (query.dryRun !== undefined) {
      where.push('dry_run = ?');
      params.push(query.dryRun ? 1 : 0);
    }
    const sql = `SELECT * FROM syncs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, query.limit ?? 50) as SyncRow[];
    return rows.map(rowToSync);
  }

  async latestSyncs(project: string, scopes: readonly SyncScope[]): Promise<LatestSyncs[]> {
    if (!scopes.length) return [];
    // Per scope, two walks down syncs_scope from its newest sync, as listSyncs takes: no scan of the whole history.
    const rows = this.db
      .prepare(
        `WITH scope (app, env) AS (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(@scopes))
         SELECT syncs.* FROM scope JOIN syncs ON syncs.id IN (
           (SELECT id FROM syncs s WHERE s.project = @project AND s.app = scope.app AND s.env = scope.env
              AND s.dry_run = 0 ORDER BY s.id DESC LIMIT 1),
           (SELECT id FROM syncs s WHERE s.project = @project AND s.app = scope.app AND s.env = scope.env
              AND s.dry_run = 0 AND s.result = 'Succeeded' ORDER BY s.id DESC LIMIT 1))`,
      )
      .all({ project, scopes: JSON.stringify(scopes.map((s) => [s.app, s.env])) }) as SyncRow[];
    return latestOf(rows.map(rowToSync));
  }

  async abandonScopeSyncs(scope: LeaseScope, reason: string): Promise<number> {
    const error = JSON.stringify({ code: 'SYNC_ABANDONED', message: reason });
    return this.db
      .prepare(
        `UPDATE syncs SET result = 'Failed', error = ?, finished_at = ?
         WHERE result = 'Running' AND project = ? AND app = ? AND env = ? AND (owner IS NULL OR owner <> ?)`,
      )
      .run(error, new Date().toISOString(), scope.project, scope.app, scope.env, this.instance).changes;
  }

  async abandonRunningSyncs(reason: string): Promise<number> {
    const error = JSON.stringify({ code: 'SYNC_ABANDONED', message: reason });
    const info = this.db
      .prepare(
        `UPDATE syncs SET result = 'Failed', error = ?, finished_at = ?
         WHERE result = 'Running' AND (owner = ? OR owner IS NULL)`,
      )
      .run(error, new Date().toISOString(), this.instance);
    return info.changes;
  }

  async addEvent(event: NewEvent): Promise<EventRecord> {
    const time = event.time ?? new Date().toISOString();
    const info = this.db
      .prepare(
        `INSERT INTO events (time, project, app, env, type, severity, message, sync_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        time,
        event.project,
        event.app ?? null,
        event.env ?? null,
        event.type,
        event.severity,
        event.message,
        event.syncId ?? null,
        event.data ? JSON.stringify(event.data) : null,
      );
    const row = this.db.prepare('SELECT * FROM events WHERE id = ?').get(Number(info.lastInsertRowid)) as EventRow;
    return rowToEvent(row);
  }

  async listEvents(query: EventQuery = {}): Promise<EventRecord[]> {
    const { where, params } = scopeFilter(query);
    if (query.type) {
      where.push('type = ?');
      params.push(query.type);
    }
    if (query.sinceId !== undefined) {
      where.push('id > ?');
      params.push(query.sinceId);
    }
    const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, query.limit ?? 100) as EventRow[];
    return rows.map(rowToEvent);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** The sync's scope is leased to the fence's holder under its token (parameters: holder, token). */
const HOLDS_LEASE = `EXISTS (SELECT 1 FROM scope_leases l WHERE l.project = syncs.project AND l.app = syncs.app
  AND l.env = syncs.env AND l.holder = ? AND l.token = ?)`;

function scopeFilter(q: { project?: string; app?: string; env?: string }): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const key of ['project', 'app', 'env'] as const) {
    const v = q[key];
    if (v !== undefined) {
      where.push(`${key} = ?`);
      params.push(v);
    }
  }
  return { where, params };
}
