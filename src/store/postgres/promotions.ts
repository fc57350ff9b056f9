import { promotionConflict, toPromotion, type Row } from '../ledger-rows.js';
import type {
  ApprovalRecord,
  LedgerStore,
  NewPromotion,
  PromotionQuery,
  PromotionRecord,
  PromotionState,
} from '../ledger-types.js';
import type { PgDb } from './db.js';
import { Where, where } from './where.js';

/** Promotion requests and their approvals in the PostgreSQL store. */
export class PgPromotions {
  constructor(private readonly db: PgDb) {}

  async create(p: NewPromotion): Promise<PromotionRecord> {
    const row = await this.db.one<Row>(
      `INSERT INTO promotions (project, app, kind, from_env, env, state, artifacts, author, created_at, updated_at,
         base_revision, revision, source_commit, source_time, ci_run, external, gates, message)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING *`,
      [
        p.project,
        p.app,
        p.kind,
        p.fromEnv ?? null,
        p.env,
        p.state ?? 'open',
        JSON.stringify(p.artifacts),
        p.author,
        p.createdAt,
        p.baseRevision,
        p.revision ?? null,
        p.sourceCommit ?? null,
        p.sourceTime ?? null,
        p.ciRun ?? null,
        p.external ? JSON.stringify(p.external) : null,
        JSON.stringify(p.gates ?? []),
        p.message ?? null,
      ],
    );
    return toPromotion(row!);
  }

  async get(id: number): Promise<PromotionRecord | undefined> {
    const row = await this.db.one<Row>('SELECT * FROM promotions WHERE id = $1', [id]);
    return row ? toPromotion(row) : undefined;
  }

  async update(
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
    const w = new Where();
    const sets = [`updated_at = ${w.param(new Date().toISOString())}`];
    for (const [col, v] of Object.entries(columns)) if (v !== undefined) sets.push(`${col} = ${w.param(v)}`);
    w.add('id = ?', id);
    // The guard and the write are one statement: of two controllers moving the same request,
    // exactly one matches.
    if (expected) w.add('state = ?', expected.state);
    const row = await this.db.one<Row>(`UPDATE promotions SET ${sets.join(', ')} ${w.sql()} RETURNING *`, w.params);
    if (row) return toPromotion(row);
    const now = await this.get(id);
    if (!now) throw new Error(`promotion ${id} does not exist`);
    throw promotionConflict(now, expected!.state);
  }

  async list(q: PromotionQuery = {}): Promise<PromotionRecord[]> {
    const w = where(q, ['project', 'app', 'env', 'state']);
    const rows = await this.db.rows<Row>(
      `SELECT * FROM promotions ${w.sql()} ORDER BY id DESC LIMIT ${w.param(q.limit ?? 100)}`,
      w.params,
    );
    return rows.map(toPromotion);
  }

  async addApproval(a: Omit<ApprovalRecord, 'id'>): Promise<ApprovalRecord> {
    const row = await this.db.one<{ id: number }>(
      'INSERT INTO approvals (promotion_id, actor, decision, comment, at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [a.promotionId, a.actor, a.decision, a.comment ?? null, a.at],
    );
    return { ...a, id: row!.id };
  }

  async listApprovals(promotionId: number): Promise<ApprovalRecord[]> {
    const rows = await this.db.rows<Row>('SELECT * FROM approvals WHERE promotion_id = $1 ORDER BY id', [promotionId]);
    return rows.map((r) => {
      const a: ApprovalRecord = {
        id: r.id as number,
        promotionId: r.promotion_id as number,
        actor: r.actor as string,
        decision: r.decision as ApprovalRecord['decision'],
        at: r.at as string,
      };
      if (r.comment !== null) a.comment = r.comment as string;
      return a;
    });
  }
}
