import { chainHash, GENESIS_HASH } from '../ledger-chain.js';
import { json, toChange, toVerification, type Row } from '../ledger-rows.js';
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
import type { PgDb } from './db.js';
import { PgPromotions } from './promotions.js';
import { where } from './where.js';

const SCOPE = ['project', 'app', 'env'] as const;

/** Advisory lock key for writes to the ledger chain ("sluice", then 2). */
const CHAIN_LOCK = '32488873856820482';

/** Links a newly inserted entry to the one before it, inside the transaction that inserted it. */
async function sealEntry(db: PgDb, row: Row): Promise<void> {
  const before = await db.one<{ hash: string | null }>(
    'SELECT hash FROM ledger_changes WHERE id < $1 ORDER BY id DESC LIMIT 1',
    [row.id],
  );
  const prev = before?.hash ?? GENESIS_HASH;
  const hash = chainHash(toChange(row), prev);
  await db.count('UPDATE ledger_changes SET prev_hash = $1, hash = $2 WHERE id = $3', [prev, hash, row.id]);
  await db.count(
    `INSERT INTO ledger_chain_head (one, id, hash) VALUES (1, $1, $2)
     ON CONFLICT (one) DO UPDATE SET id = EXCLUDED.id, hash = EXCLUDED.hash`,
    [row.id, hash],
  );
}

/** The ledger tables of the PostgreSQL store (migration 2); promotions live in promotions.ts. */
export class PgLedger implements LedgerStore {
  private readonly promotions: PgPromotions;

  constructor(private readonly db: PgDb) {
    this.promotions = new PgPromotions(db);
  }

  async recordChange(c: NewChange): Promise<ChangeRecord> {
    // One writer at a time on every instance: each new entry links to the one before it.
    return this.db.locked(CHAIN_LOCK, async (db) => {
      const inserted = await db.count(
        `INSERT INTO ledger_changes (project, app, env, revision, action, subject, author, committed_at, artifacts,
         source_commit, source_time, ci_run, promotion_id, from_env, rollback_of, not_a_failure, flagged, gates, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
       ON CONFLICT (project, app, env, revision) DO NOTHING`,
        [
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
        ],
      );
      const row = await db.one<Row>(
        'SELECT * FROM ledger_changes WHERE project = $1 AND app = $2 AND env = $3 AND revision = $4',
        [c.project, c.app, c.env, c.revision],
      );
      if (inserted === 1) await sealEntry(db, row!);
      return toChange(row!);
    });
  }

  async listChanges(q: LedgerQuery = {}): Promise<ChangeRecord[]> {
    const w = where(q, SCOPE);
    const rows = await this.db.rows<Row>(
      `SELECT * FROM (SELECT * FROM ledger_changes ${w.sql()} ORDER BY committed_at DESC, id DESC
         LIMIT ${w.param(q.limit ?? 1000)}) AS recent ORDER BY committed_at, id`,
      w.params,
    );
    return rows.map(toChange);
  }

  async isObserved(project: string, revision: string): Promise<boolean> {
    return (
      (await this.db.one('SELECT 1 FROM ledger_observed WHERE project = $1 AND revision = $2', [project, revision])) !==
      undefined
    );
  }

  async markObserved(project: string, revision: string): Promise<void> {
    await this.db.count('INSERT INTO ledger_observed (project, revision) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      project,
      revision,
    ]);
  }

  createPromotion(p: NewPromotion): Promise<PromotionRecord> {
    return this.promotions.create(p);
  }

  getPromotion(id: number): Promise<PromotionRecord | undefined> {
    return this.promotions.get(id);
  }

  updatePromotion(
    id: number,
    patch: Parameters<LedgerStore['updatePromotion']>[1],
    expected?: { state: PromotionState },
  ): Promise<PromotionRecord> {
    return this.promotions.update(id, patch, expected);
  }

  listPromotions(q?: PromotionQuery): Promise<PromotionRecord[]> {
    return this.promotions.list(q);
  }

  addApproval(a: Omit<ApprovalRecord, 'id'>): Promise<ApprovalRecord> {
    return this.promotions.addApproval(a);
  }

  listApprovals(promotionId: number): Promise<ApprovalRecord[]> {
    return this.promotions.listApprovals(promotionId);
  }

  async recordApplied(a: AppliedRecord): Promise<void> {
    await this.db.count(
      `INSERT INTO applied_artifacts (sync_id, project, app, env, revision, artifacts) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (sync_id) DO UPDATE SET project = EXCLUDED.project, app = EXCLUDED.app, env = EXCLUDED.env,
         revision = EXCLUDED.revision, artifacts = EXCLUDED.artifacts`,
      [a.syncId, a.project, a.app, a.env, a.revision, JSON.stringify(a.artifacts)],
    );
  }

  async listApplied(q: LedgerQuery = {}): Promise<AppliedRecord[]> {
    const w = where(q, SCOPE);
    const rows = await this.db.rows<Row>(
      `SELECT * FROM (SELECT * FROM applied_artifacts ${w.sql()} ORDER BY sync_id DESC
         LIMIT ${w.param(q.limit ?? 1000)}) AS recent ORDER BY sync_id`,
      w.params,
    );
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
    const row = await this.db.one<{ id: number }>(
      `INSERT INTO verifications (sync_id, project, app, env, revision, result, checks, started_at, finished_at, rollback_revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
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
      ],
    );
    return { ...v, id: row!.id };
  }

  async setRollbackRevision(id: number, revision: string): Promise<void> {
    await this.db.count('UPDATE verifications SET rollback_revision = $1 WHERE id = $2', [revision, id]);
  }

  async listVerifications(q: LedgerQuery = {}): Promise<VerificationRecord[]> {
    const w = where(q, SCOPE);
    const rows = await this.db.rows<Row>(
      `SELECT * FROM (SELECT * FROM verifications ${w.sql()} ORDER BY id DESC
         LIMIT ${w.param(q.limit ?? 1000)}) AS recent ORDER BY id`,
      w.params,
    );
    return rows.map(toVerification);
  }
}
