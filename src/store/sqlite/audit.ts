import type Database from 'better-sqlite3';
import { toAudit, type Row } from '../audit-rows.js';
import type { AuditQuery, AuditRecord, AuditStore, NewAudit } from '../audit-types.js';

export class SqliteAudit implements AuditStore {
  constructor(private readonly db: Database.Database) {}

  async recordCall(e: NewAudit): Promise<AuditRecord> {
    const info = this.db
      .prepare(
        'INSERT INTO api_audit (at, subject, actor, method, route, app, env, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(e.at, e.subject, e.actor, e.method, e.route, e.app ?? null, e.env ?? null, e.status);
    return { id: Number(info.lastInsertRowid), ...e };
  }

  async listCalls(q: AuditQuery = {}): Promise<AuditRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.app !== undefined) {
      where.push('app = ?');
      args.push(q.app);
    }
    if (q.env !== undefined) {
      where.push('env = ?');
      args.push(q.env);
    }
    if (q.since !== undefined) {
      where.push('at >= ?');
      args.push(q.since);
    }
    const sql = `SELECT * FROM api_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit ?? 200) as Row[]).map(toAudit);
  }
}
