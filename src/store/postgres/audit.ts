import { toAudit, type Row } from '../audit-rows.js';
import type { AuditQuery, AuditRecord, AuditStore, NewAudit } from '../audit-types.js';
import type { PgDb } from './db.js';

/** The audit trail of mutating API calls in PostgreSQL (migration 10). */
export class PgAudit implements AuditStore {
  constructor(private readonly db: PgDb) {}

  async recordCall(e: NewAudit): Promise<AuditRecord> {
    const row = await this.db.one<{ id: string | number }>(
      `INSERT INTO api_audit (at, subject, actor, method, route, app, env, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [e.at, e.subject, e.actor, e.method, e.route, e.app ?? null, e.env ?? null, e.status],
    );
    return { id: Number(row!.id), ...e };
  }

  async listCalls(q: AuditQuery = {}): Promise<AuditRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    for (const [col, op, v] of [
      ['app', '=', q.app],
      ['env', '=', q.env],
      ['at', '>=', q.since],
    ] as const) {
      if (v === undefined) continue;
      args.push(v);
      where.push(`${col} ${op} $${args.length}`);
    }
    args.push(q.limit ?? 200);
    const rows = await this.db.rows<Row>(
      `SELECT * FROM api_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`,
      args,
    );
    return rows.map(toAudit);
  }
}
