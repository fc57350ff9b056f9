import { hostname } from 'node:os';
import type pg from 'pg';
import type { AccessStore } from '../access-types.js';
import type { AuditStore } from '../audit-types.js';
import type { HoldStore } from '../hold-types.js';
import type { LedgerChainStore } from '../ledger-chain-types.js';
import type { LedgerStore } from '../ledger-types.js';
import type { WebhookDeliveryStore } from '../webhook-types.js';
import type { Fence, LeaseScope, LeaseStore } from '../lease-types.js';
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
import { createPool, PgDb, redactUrl, unavailable, type Queryable } from './db.js';
import { PgEvents } from './events.js';
import { PgLeases } from './leases.js';
import { PgHeartbeats } from './heartbeats.js';
import type { HeartbeatStore } from '../heartbeat-types.js';
import { PgAccess } from './access.js';
import { PgAudit } from './audit.js';
import { PgHolds } from './holds.js';
import { PgLedger } from './ledger.js';
import { PgLedgerChain } from './ledger-chain.js';
import { PgWebhookDeliveries } from './webhooks.js';
import { migrate } from './migrations.js';
import { PgSyncs } from './syncs.js';

/**
 * The store on a PostgreSQL database that several controllers share. Opening does not wait:
 * the schema is migrated in the background (under an advisory lock) and every call waits for
 * it, so a database that cannot be reached fails the first call with StoreUnavailableError.
 */
export class PgStore implements Store {
  readonly ledger: LedgerStore;
  readonly leases: LeaseStore;
  readonly heartbeats: HeartbeatStore;
  readonly shared = true;
  readonly ledgerChain: LedgerChainStore;
  readonly webhooks: WebhookDeliveryStore;
  readonly holds: HoldStore;
  readonly access: AccessStore;
  readonly audit: AuditStore;
  private readonly syncs: PgSyncs;
  private readonly events: PgEvents;

  private constructor(
    private readonly db: PgDb,
    private readonly instance: string,
    /** The pool, on the store that owns it; undefined on the store a transaction hands out. */
    private readonly pool: pg.Pool | undefined,
    private readonly ready: Promise<void>,
    /**
     * Leases and heartbeats on connections of their own: a renewal must never wait in the
     * pool's queue behind a replica's bulk reads and writes (thousands of scopes taken over at
     * once), or its leases run out while it still works them. The same as `db` in a transaction.
     */
    leaseDb: PgDb = db,
    private readonly leasePool?: pg.Pool,
  ) {
    this.syncs = new PgSyncs(db, instance);
    this.events = new PgEvents(db);
    this.ledger = new PgLedger(db);
    this.leases = new PgLeases(leaseDb);
    this.heartbeats = new PgHeartbeats(leaseDb);
    this.ledgerChain = new PgLedgerChain(db);
    this.webhooks = new PgWebhookDeliveries(db);
    this.holds = new PgHolds(db);
    this.access = new PgAccess(db);
    this.audit = new PgAudit(db);
  }

  static open(url: string, options: { instance?: string } = {}): PgStore {
    const pool = createPool(url);
    const where = redactUrl(url);
    const ready = migrate(pool).catch((e: unknown) => {
      throw unavailable(e, where) ?? e;
    });
    // Reported by the first call that waits for it.
    ready.catch(() => undefined);
    const leasePool = createPool(url, 2);
    return new PgStore(
      new PgDb(pool, ready, where),
      options.instance ?? hostname(),
      pool,
      ready,
      new PgDb(leasePool, ready, where),
      leasePool,
    );
  }

  /** Waits until the schema is migrated; rejects when the database cannot be reached. */
  async opened(): Promise<void> {
    await this.ready;
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    // A store handed out by a transaction runs nested transactions as part of its own.
    if (!this.pool) return fn(this);
    await this.ready;
    const client = await this.pool.connect().catch((e: unknown) => {
      throw unavailable(e, this.db.where) ?? e;
    });
    try {
      await client.query('BEGIN');
      const tx = new PgStore(
        new PgDb(client as Queryable, this.ready, this.db.where),
        this.instance,
        undefined,
        this.ready,
      );
      try {
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } finally {
      client.release();
    }
  }

  startSync(sync: NewSync): Promise<SyncRecord> {
    return this.syncs.start(sync);
  }

  finishSync(id: number, finish: SyncFinish, fence?: Fence): Promise<SyncRecord> {
    return this.syncs.finish(id, finish, fence);
  }

  getSync(id: number): Promise<SyncRecord | undefined> {
    return this.syncs.get(id);
  }

  listSyncs(query?: SyncQuery): Promise<SyncRecord[]> {
    return this.syncs.list(query);
  }

  latestSyncs(project: string, scopes: readonly SyncScope[]): Promise<LatestSyncs[]> {
    return this.syncs.latest(project, scopes);
  }

  abandonScopeSyncs(scope: LeaseScope, reason: string): Promise<number> {
    return this.syncs.abandonScope(scope, reason);
  }

  abandonRunningSyncs(reason: string): Promise<number> {
    return this.syncs.abandonRunning(reason);
  }

  addEvent(event: NewEvent): Promise<EventRecord> {
    return this.events.add(event);
  }

  listEvents(query?: EventQuery): Promise<EventRecord[]> {
    return this.events.list(query);
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await Promise.all([this.pool?.end(), this.leasePool?.end()]);
  }
}
