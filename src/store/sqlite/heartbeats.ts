import type Database from 'better-sqlite3';
import type { HeartbeatStore } from '../heartbeat-types.js';

/** Controller heartbeats in SQLite (migration 11); times from the store's clock, as ISO text. */
export class SqliteHeartbeats implements HeartbeatStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  async beat(project: string, instance: string, ttlMs: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO controller_heartbeats (project, instance, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (project, instance) DO UPDATE SET expires_at = excluded.expires_at`,
      )
      .run(project, instance, new Date(this.now() + ttlMs).toISOString());
  }

  async live(project: string): Promise<string[]> {
    const rows = this.db
      .prepare('SELECT instance FROM controller_heartbeats WHERE project = ? AND expires_at > ? ORDER BY instance')
      .all(project, new Date(this.now()).toISOString()) as { instance: string }[];
    return rows.map((r) => r.instance);
  }

  async leave(project: string, instance: string): Promise<void> {
    this.db.prepare('DELETE FROM controller_heartbeats WHERE project = ? AND instance = ?').run(project, instance);
  }
}
