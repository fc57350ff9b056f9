import { latestOf, rowToSync, type SyncRow } from '../rows.js';
import { leaseLost } from '../errors.js';
import type { Fence, LeaseScope } from '../lease-types.js';
import type { LatestSyncs, NewSync, SyncFinish, SyncQuery, SyncRecord, SyncScope } from '../types.js';
import type { PgDb } from './db.js';
import { where } from './where.js';

/** The syncs table of the PostgreSQL store; `instance` owns the syncs it starts. */
export class PgSyncs {
  constructor(
    private readonly db: PgDb,
    private readonly instance: string,
  ) {}

  async start(sync: NewSync): Promise<SyncRecord> {
    const row = await this.db.one<SyncRow>(
      `INSERT INTO syncs (project, app, env, revision, trigger, reason, actor, dry_run, result, started_at, owner)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'Running', $9, $10) RETURNING *`,
      [
        sync.project,
        sync.app,
        sync.env,
        sync.revision,
        sync.trigger,
        sync.reason,
        sync.actor ?? null,
        sync.dryRun,
        sync.startedAt,
        this.instance,
      ],
    );
    return rowToSync(row!);
  }

  async finish(id: number, finish: SyncFinish, fence?: Fence): Promise<SyncRecord> {
    // The fence and the write are one statement: a takeover cannot slip in between.
    const fenced = fence
      ? `AND EXISTS (SELECT 1 FROM scope_leases l WHERE l.project = syncs.project AND l.app = syncs.app
           AND l.env = syncs.env AND l.holder = $8 AND l.token = $9)`
      : '';
    const row = await this.db.one<SyncRow>(
      `UPDATE syncs SET result = $1, plan = $2, health = $3, error = $4, finished_at = $5, timings = $6
       WHERE id = $7 ${fenced} RETURNING *`,
      [
        finish.result,
        finish.plan ? JSON.stringify(finish.plan) : null,
        finish.health ?? null,
        finish.error ? JSON.stringify(finish.error) : null,
        new Date().toISOString(),
        JSON.stringify(finish.timings),
        id,
        ...(fence ? [fence.holder, fence.token] : []),
      ],
    );
    if (row) return rowToSync(row);
    const now = await this.get(id);
    if (!now) throw new Error(`sync ${id} does not exist`);
    throw leaseLost(now, fence!);
  }

  async get(id: number): Promise<SyncRecord | undefined> {
    const row = await this.db.one<SyncRow>('SELECT * FROM syncs WHERE id = $1', [id]);
    return row ? rowToSync(row) : undefined;
  }

  async list(query: SyncQuery = {}): Promise<SyncRecord[]> {
    const w = where(query, ['project', 'app', 'env', 'result']);
    if (query.beforeId !== undefined) w.add('id < ?', query.beforeId);
    if (query.dryRun !== undefined) w.add('dry_run = ?', query.dryRun);
    const rows = await this.db.rows<SyncRow>(
      `SELECT * FROM syncs ${w.sql()} ORDER BY id DESC LIMIT ${w.param(query.limit ?? 50)}`,
      w.params,
    );
    return rows.map(rowToSync);
  }

  async latest(project: string, scopes: readonly SyncScope[]): Promise<LatestSyncs[]> {
    if (!scopes.length) return [];
    // Per scope, two walks down syncs_scope from its newest sync, as listSyncs takes: no scan of the whole history.
    const rows = await this.db.rows<SyncRow>(
      `SELECT s.* FROM unnest($2::text[], $3::text[]) AS scope (app, env) CROSS JOIN LATERAL (
         (SELECT * FROM syncs WHERE project = $1 AND app = scope.app AND env = scope.env AND NOT dry_run
          ORDER BY id DESC LIMIT 1)
         UNION ALL
         (SELECT * FROM syncs WHERE project = $1 AND app = scope.app AND env = scope.env AND NOT dry_run
            AND result = 'Succeeded' ORDER BY id DESC LIMIT 1)
       ) s`,
      [project, scopes.map((s) => s.app), scopes.map((s) => s.env)],
    );
    return latestOf(rows.map(rowToSync));
  }

  async abandonScope(scope: LeaseScope, reason: string): Promise<number> {
    const error = JSON.stringify({ code: 'SYNC_ABANDONED', message: reason });
    return this.db.count(
      `UPDATE syncs SET result = 'Failed', error = $1, finished_at = $2
       WHERE result = 'Running' AND project = $3 AND app = $4 AND env = $5 AND (owner IS NULL OR owner <> $6)`,
      [error, new Date().toISOString(), scope.project, scope.app, scope.env, this.instance],
    );
  }

  async abandonRunning(reason: string): Promise<number> {
    const error = JSON.stringify({ code: 'SYNC_ABANDONED', message: reason });
    return this.db.count(
      `UPDATE syncs SET result = 'Failed', error = $1, finished_at = $2
       WHERE result = 'Running' AND (owner = $3 OR owner IS NULL)`,
      [error, new Date().toISOString(), this.instance],
    );
  }
}
