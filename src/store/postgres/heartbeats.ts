import type { HeartbeatStore } from '../heartbeat-types.js';
import type { PgDb } from './db.js';

/** Controller heartbeats in PostgreSQL (migration 11); the database's clock decides expiry. */
export class PgHeartbeats implements HeartbeatStore {
  constructor(private readonly db: PgDb) {}

  async beat(project: string, instance: string, ttlMs: number): Promise<void> {
    await this.db.count(
      `INSERT INTO controller_heartbeats (project, instance, expires_at)
       VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (project, instance) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
      [project, instance, ttlMs],
    );
  }

  async live(project: string): Promise<string[]> {
    const rows = await this.db.rows<{ instance: string }>(
      'SELECT instance FROM controller_heartbeats WHERE project = $1 AND expires_at > clock_timestamp() ORDER BY instance',
      [project],
    );
    return rows.map((r) => r.instance);
  }

  async leave(project: string, instance: string): Promise<void> {
    await this.db.count('DELETE FROM controller_heartbeats WHERE project = $1 AND instance = $2', [project, instance]);
  }
}
