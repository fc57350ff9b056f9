import { StoreConflictError } from './errors.js';
import type { ChangeRecord, PromotionRecord, PromotionState, VerificationRecord } from './ledger-types.js';

/* Ledger rows as both stores return them, and the records they become. */

export type Row = Record<string, unknown>;

export const json = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : fallback);

/** Copies the non-null columns named in `map` (column → field) onto a record. */
export function optional<T extends object>(target: T, row: Row, map: Record<string, keyof T>): T {
  for (const [col, field] of Object.entries(map)) {
    if (row[col] !== null && row[col] !== undefined) (target as Record<string, unknown>)[field as string] = row[col];
  }
  return target;
}

export function toChange(r: Row): ChangeRecord {
  const c: ChangeRecord = {
    id: r.id as number,
    project: r.project as string,
    app: r.app as string,
    env: r.env as string,
    revision: r.revision as string,
    action: r.action as ChangeRecord['action'],
    subject: r.subject as string,
    author: r.author as string,
    committedAt: r.committed_at as string,
    artifacts: json(r.artifacts, []),
    recordedAt: r.recorded_at as string,
  };
  // Absent rather than empty when the column is null: entries written before it existed hash as they did.
  if (r.gates !== null && r.gates !== undefined) c.gates = json(r.gates, []);
  return optional(c, r, {
    source_commit: 'sourceCommit',
    source_time: 'sourceTime',
    ci_run: 'ciRun',
    promotion_id: 'promotionId',
    from_env: 'fromEnv',
    rollback_of: 'rollbackOf',
    not_a_failure: 'notAFailure',
    flagged: 'flagged',
  });
}

export function toPromotion(r: Row): PromotionRecord {
  const p: PromotionRecord = {
    id: r.id as number,
    project: r.project as string,
    app: r.app as string,
    kind: r.kind as PromotionRecord['kind'],
    env: r.env as string,
    state: r.state as PromotionRecord['state'],
    artifacts: json(r.artifacts, []),
    author: r.author as string,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
    baseRevision: r.base_revision as string,
    gates: json(r.gates, []),
  };
  if (r.external !== null) p.external = json(r.external, { backend: 'local', id: '' });
  return optional(p, r, {
    from_env: 'fromEnv',
    revision: 'revision',
    source_commit: 'sourceCommit',
    source_time: 'sourceTime',
    ci_run: 'ciRun',
    message: 'message',
  });
}

export function toVerification(r: Row): VerificationRecord {
  const v: VerificationRecord = {
    id: r.id as number,
    syncId: r.sync_id as number,
    project: r.project as string,
    app: r.app as string,
    env: r.env as string,
    revision: r.revision as string,
    result: r.result as VerificationRecord['result'],
    checks: json(r.checks, []),
    startedAt: r.started_at as string,
    finishedAt: r.finished_at as string,
  };
  return optional(v, r, { rollback_revision: 'rollbackRevision' });
}

/** The refusal of a conditional promotion update whose request moved on meanwhile. */
export function promotionConflict(now: PromotionRecord, expected: PromotionState): StoreConflictError {
  return new StoreConflictError(
    'PROMOTION_CHANGED',
    `promotion #${now.id} is ${now.state}, not ${expected}: another controller changed it first`,
    { hint: 'Read the request again; what it says now is what happened.' },
  );
}
