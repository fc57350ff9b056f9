import type { HoldRecord } from './hold-types.js';

export type Row = Record<string, unknown>;

/** A row of the holds table (either store) as a HoldRecord. */
export function toHold(r: Row): HoldRecord {
  const h: HoldRecord = {
    id: Number(r.id),
    project: r.project as string,
    env: r.env as string,
    digest: r.digest as string,
    app: r.app as string,
    artifact: JSON.parse(r.artifact as string) as HoldRecord['artifact'],
    reason: r.reason as string,
    heldAt: r.held_at as string,
    heldBy: r.held_by as string,
  };
  const optional: Record<string, keyof HoldRecord> = {
    verification_id: 'verificationId',
    sync_id: 'syncId',
    revision: 'revision',
    lifted_at: 'liftedAt',
    lifted_by: 'liftedBy',
    lift_reason: 'liftReason',
  };
  for (const [col, field] of Object.entries(optional)) {
    const v = r[col];
    if (v === null || v === undefined) continue;
    // BIGINT ids come back from PostgreSQL as strings.
    (h as unknown as Record<string, unknown>)[field] = col.endsWith('_id') ? Number(v) : v;
  }
  return h;
}
