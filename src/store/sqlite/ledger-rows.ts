/** Rows of the ledger tables as the ledger types. */
import type { ChangeRecord } from '../ledger-types.js';

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
