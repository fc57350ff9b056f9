import type Database from 'better-sqlite3';
import { toHold, type Row } from '../hold-rows.js';
import type { HoldQuery, HoldRecord, HoldStore, NewHold } from '../hold-types.js';

export class SqliteHolds implements HoldStore {
  constructor(private readonly db: Database.Database) {}

  async placeHold(h: NewHold): Promise<HoldRecord> {
    return this.db.transaction(() => {
      const held = this.db
        .prepare('SELECT * FROM holds WHERE project = ? AND env = ? AND digest = ? AND lifted_at IS NULL')
        .get(h.project, h.env, h.digest) as Row | undefined;
      if (held) return toHold(held);
      const info = this.db
        .prepare(
          `INSERT INTO holds (project, env, digest, app, artifact, reason, held_at, held_by, verification_id, sync_id, revision)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
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
        );
      return toHold(this.db.prepare('SELECT * FROM holds WHERE id = ?').get(info.lastInsertRowid) as Row);
    })();
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
      where.push(`${col} = ?`);
      args.push(v);
    }
    if (q.active !== false) where.push('lifted_at IS NULL');
    const sql = `SELECT * FROM holds ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(toHold);
  }

  async liftHold(l: {
    project: string;
    env: string;
    digest: string;
    by: string;
    reason: string;
    at: string;
  }): Promise<HoldRecord | undefined> {
    const held = this.db
      .prepare('SELECT id FROM holds WHERE project = ? AND env = ? AND digest = ? AND lifted_at IS NULL')
      .get(l.project, l.env, l.digest) as { id: number } | undefined;
    if (!held) return undefined;
    this.db
      .prepare('UPDATE holds SET lifted_at = ?, lifted_by = ?, lift_reason = ? WHERE id = ?')
      .run(l.at, l.by, l.reason, held.id);
    return toHold(this.db.prepare('SELECT * FROM holds WHERE id = ?').get(held.id) as Row);
  }
}
