import { toHold, type Row } from '../hold-rows.js';
import type { HoldQuery, HoldRecord, HoldStore, NewHold } from '../hold-types.js';
import type { PgDb } from './db.js';

/** Holds in PostgreSQL (migration 8); a partial unique index keeps one active hold per digest and environment. */
export class PgHolds implements HoldStore {
  constructor(private readonly db: PgDb) {}

  async placeHold(h: NewHold): Promise<HoldRecord> {
    // Two controllers holding the same digest at once: one insert wins, both read the same hold.
    await this.db.count(
      `INSERT INTO holds (project, env, digest, app, artifact, reason, held_at, held_by, verification_id, sync_id, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (project, env, digest) WHERE lifted_at IS NULL DO NOTHING`,
      [
        h.project,
        h.env,
        h.digest,
        h.app,
        JSON.stringify(h.artifact),
        h.reason,
        h.heldAt,
        h.heldBy,
        h.verificationId ?? null,
        h.syncId ?? null,
        h.revision ?? null,
      ],
    );
    const row = await this.db.one<Row>(
      'SELECT * FROM holds WHERE project = $1 AND env = $2 AND digest = $3 AND lifted_at IS NULL',
      [h.project, h.env, h.digest],
    );
    return toHold(row!);
  }

  async listHolds(q: HoldQuery = {}): Promise<HoldRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    for (const [col, v] of [
      ['project', q.project],
      ['env', q.env],
      ['app', q.app],
      ['digest', q.digest],
    ] as const) {
      if (v === undefined) continue;
      args.push(v);
      where.push(`${col} = $${args.length}`);
    }
    if (q.active !== false) where.push('lifted_at IS NULL');
    const rows = await this.db.rows<Row>(
      `SELECT * FROM holds ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC`,
      args,
    );
    return rows.map(toHold);
  }

  async liftHold(l: {
    project: string;
    env: string;
    digest: string;
    by: string;
    reason: string;
    at: string;
  }): Promise<HoldRecord | undefined> {
    const row = await this.db.one<Row>(
      `UPDATE holds SET lifted_at = $1, lifted_by = $2, lift_reason = $3
       WHERE project = $4 AND env = $5 AND digest = $6 AND lifted_at IS NULL RETURNING *`,
      [l.at, l.by, l.reason, l.project, l.env, l.digest],
    );
    return row ? toHold(row) : undefined;
  }
}
