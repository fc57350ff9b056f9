import type Database from 'better-sqlite3';
import type {
  AppliedRecord,
  ApprovalRecord,
  ChangeRecord,
  LedgerQuery,
  LedgerStore,
  NewChange,
  NewPromotion,
  NewVerification,
  PromotionQuery,
  PromotionRecord,
  PromotionState,
  VerificationRecord,
} from '../ledger-types.js';
import { json, optional, promotionConflict, toChange, toPromotion, toVerification, type Row } from '../ledger-rows.js';
import { sealEntry } from './ledger-chain.js';

function scope(q: LedgerQuery & { state?: string }): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  for (const key of ['project', 'app', 'env', 'state'] as const) {
    const v = q[key];
    if (v !== undefined) {
      clauses.push(`${key} = ?`);
      params.push(v);
    }
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** The ledger tables of the SQLite store (migration 2). */
export class SqliteLedger implements LedgerStore {
  constructor(private readonly db: Database.Database) {}

  async recordChange(c: NewChange): Promise<ChangeRecord> {
    // One immediate transaction: the entry and its link to the previous one are written
    // together, and no other writer can slip an entry in between.
    this.db.transaction(() => this.insertChange(c)).immediate();
    const row = this.db
      .prepare('SELECT * FROM ledger_changes WHERE project = ? AND app = ? AND env = ? AND revision = ?')
      .get(c.project, c.app, c.env, c.revision) as Row;
    return toChange(row);
  }

  private insertChange(c: NewChange): void {
    // Asked first rather than left to INSERT OR IGNORE, which can use up an id: ids without
    // gaps let verifying the chain say which entries were removed.
    const exists = this.db
      .prepare('SELECT 1 FROM ledger_changes WHERE project = ? AND app = ? AND env = ? AND revision = ?')
      .get(c.project, c.app, c.env, c.revision);
    if (exists) return;
    const info = this.db
      .prepare(
        `INSERT INTO ledger_changes (project, app, env, revision, action, subject, author, committed_at, artifacts,
           source_commit, source_time, ci_run, promotion_id, from_env, rollback_of, not_a_failure, flagged, gates, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.project,
        c.app,
        c.env,
        c.revision,
        c.action,
        c.subject,
        c.author,
        c.committedAt,
        JSON.stringify(c.artifacts),
        c.sourceCommit ?? null,
        c.sourceTime ?? null,
        c.ciRun ?? null,
        c.promotionId ?? null,
        c.fromEnv ?? null,
        c.rollbackOf ?? null,
        c.notAFailure ?? null,
        c.flagged ?? null,
        c.gates ? JSON.stringify(c.gates) : null,
        new Date().toISOString(),
      );
    sealEntry(this.db, Number(info.lastInsertRowid));
  }

  async listChanges(q: LedgerQuery = {}): Promise<ChangeRecord[]> {
    const { where, params } = scope(q);
    const rows = this.db
      .prepare(
        `SELECT * FROM (SELECT * FROM ledger_changes ${where} ORDER BY committed_at DESC, id DESC LIMIT ?) ORDER BY committed_at, id`,
      )
      .all(...params, q.limit ?? 1000) as Row[];
    return rows.map(toChange);
  }

  async isObserved(project: string, revision: string): Promise<boolean> {
    return (
      this.db.prepare('SELECT 1 FROM ledger_observed WHERE project = ? AND revision = ?').get(project, revision) !==
      undefined
    );
  }

  async markObserved(project: string, revision: string): Promise<void> {
    this.db.prepare('INSERT OR IGNORE INTO ledger_observed (project, revision) VALUES (?, ?)').run(project, revision);
  }

  async createPromotion(p: NewPromotion): Promise<PromotionRecord> {
    const info = this.db
      .prepare(
        `INSERT INTO promotions (project, app, kind, from_env, env, state, artifacts, author, created_at, updated_at,
           base_revision, revision, source_commit, source_time, ci_run, external, gates, message)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        p.project,
        p.app,
        p.kind,
        p.fromEnv ?? null,
        p.env,
        p.state ?? 'open',
        JSON.stringify(p.artifacts),
        p.author,
        p.createdAt,
        p.createdAt,
        p.baseRevision,
        p.revision ?? null,
        p.sourceCommit ?? null,
        p.sourceTime ?? null,
        p.ciRun ?? null,
        p.external ? JSON.stringify(p.external) : null,
        JSON.stringify(p.gates ?? []),
        p.message ?? null,
      );
    return (await this.getPromotion(Number(info.lastInsertRowid)))!;
  }

  async getPromotion(id: number): Promise<PromotionRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM promotions WHERE id = ?').get(id) as Row | undefined;
    return row ? toPromotion(row) : undefined;
  }

  async updatePromotion(
    id: number,
    patch: Parameters<LedgerStore['updatePromotion']>[1],
    expected?: { state: PromotionState },
  ): Promise<PromotionRecord> {
    const columns: Record<string, unknown> = {
      state: patch.state,
      revision: patch.revision,
      gates: patch.gates && JSON.stringify(patch.gates),
      message: patch.message,
      external: patch.external && JSON.stringify(patch.external),
    };
    const sets: string[] = ['updated_at = ?'];
    const params: unknown[] = [new Date().toISOString()];
    for (const [col, v] of Object.entries(columns)) {
      if (v === undefined) continue;
      sets.push(`${col} = ?`);
      params.push(v);
    }
    const guard = expected ? ' AND state = ?' : '';
    const changed = this.db
      .prepare(`UPDATE promotions SET ${sets.join(', ')} WHERE id = ?${guard}`)
      .run(...params, id, ...(expected ? [expected.state] : [])).changes;
    const p = await this.getPromotion(id);
    if (!p) throw new Error(`promotion ${id} does not exist`);
    if (!changed) throw promotionConflict(p, expected!.state);
    return p;
  }

  async listPromotions(q: PromotionQuery = {}): Promise<PromotionRecord[]> {
    const { where, params } = scope(q);
    const rows = this.db
      .prepare(`SELECT * FROM promotions ${where} ORDER BY id DESC LIMIT ?`)
      .all(...params, q.limit ?? 100) as Row[];
    return rows.map(toPromotion);
  }

  async addApproval(a: Omit<ApprovalRecord, 'id'>): Promise<ApprovalRecord> {
    const info = this.db
      .prepare('INSERT INTO approvals (promotion_id, actor, decision, comment, at) VALUES (?, ?, ?, ?, ?)')
      .run(a.promotionId, a.actor, a.decision, a.comment ?? null, a.at);
    return { ...a, id: Number(info.lastInsertRowid) };
  }

  async listApprovals(promotionId: number): Promise<ApprovalRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM approvals WHERE promotion_id = ? ORDER BY id')
      .all(promotionId) as Row[];
    return rows.map((r) =>
      optional<ApprovalRecord>(
        {
          id: r.id as number,
          promotionId: r.promotion_id as number,
          actor: r.actor as string,
          decision: r.decision as ApprovalRecord['decision'],
          at: r.at as string,
        },
        r,
        { comment: 'comment' },
      ),
    );
  }

  async recordApplied(a: AppliedRecord): Promise<void> {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO applied_artifacts (sync_id, project, app, env, revision, artifacts) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(a.syncId, a.project, a.app, a.env, a.revision, JSON.stringify(a.artifacts));
  }

  async listApplied(q: LedgerQuery = {}): Promise<AppliedRecord[]> {
    const { where, params } = scope(q);
    const rows = this.db
      .prepare(
        `SELECT * FROM (SELECT * FROM applied_artifacts ${where} ORDER BY sync_id DESC LIMIT ?) ORDER BY sync_id`,
      )
      .all(...params, q.limit ?? 1000) as Row[];
    return rows.map((r) => ({
      syncId: r.sync_id as number,
      project: r.project as string,
      app: r.app as string,
      env: r.env as string,
      revision: r.revision as string,
      artifacts: json(r.artifacts, []),
    }));
  }

  async recordVerification(v: NewVerification): Promise<VerificationRecord> {
    const info = this.db
      .prepare(
        `INSERT INTO verifications (sync_id, project, app, env, revision, result, checks, started_at, finished_at, rollback_revision)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        v.syncId,
        v.project,
        v.app,
        v.env,
        v.revision,
        v.result,
        JSON.stringify(v.checks),
        v.startedAt,
        v.finishedAt,
        v.rollbackRevision ?? null,
      );
    return { ...v, id: Number(info.lastInsertRowid) };
  }

  async setRollbackRevision(id: number, revision: string): Promise<void> {
    this.db.prepare('UPDATE verifications SET rollback_revision = ? WHERE id = ?').run(revision, id);
  }

  async listVerifications(q: LedgerQuery = {}): Promise<VerificationRecord[]> {
    const { where, params } = scope(q);
    const rows = this.db
      .prepare(`SELECT * FROM (SELECT * FROM verifications ${where} ORDER BY id DESC LIMIT ?) ORDER BY id`)
      .all(...params, q.limit ?? 1000) as Row[];
    return rows.map(toVerification);
  }
}
