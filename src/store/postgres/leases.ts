import type { Lease, LeaseScope, LeaseStore } from '../lease-types.js';
import type { PgDb } from './db.js';

interface LeaseRow {
  project: string;
  app: string;
  env: string;
  holder: string;
  token: number;
  expires_at: Date;
}

const toLease = (r: LeaseRow): Lease => ({
  project: r.project,
  app: r.app,
  env: r.env,
  holder: r.holder,
  token: r.token,
  expiresAt: r.expires_at.toISOString(),
});

/**
 * Scope leases in PostgreSQL (migration 5). The database's clock decides expiry, so the
 * replicas' clocks need not agree; claim and renewal are one statement each.
 */
export class PgLeases implements LeaseStore {
  constructor(private readonly db: PgDb) {}

  async claim(scope: LeaseScope, holder: string, ttlMs: number): Promise<Lease | undefined> {
    const row = await this.db.one<LeaseRow>(
      `INSERT INTO scope_leases AS l (project, app, env, holder, token, expires_at)
       VALUES ($1, $2, $3, $4, 1, clock_timestamp() + $5 * interval '1 millisecond')
       ON CONFLICT (project, app, env) DO UPDATE SET
         token = l.token + CASE WHEN l.holder = EXCLUDED.holder THEN 0 ELSE 1 END,
         holder = EXCLUDED.holder,
         expires_at = EXCLUDED.expires_at
       WHERE l.holder = EXCLUDED.holder OR l.expires_at <= clock_timestamp()
       RETURNING *`,
      [scope.project, scope.app, scope.env, holder, ttlMs],
    );
    return row ? toLease(row) : undefined;
  }

  async claimAll(
    project: string,
    scopes: readonly { app: string; env: string }[],
    holder: string,
    ttlMs: number,
  ): Promise<Lease[]> {
    if (!scopes.length) return [];
    const rows = await this.db.rows<LeaseRow>(
      `INSERT INTO scope_leases AS l (project, app, env, holder, token, expires_at)
       SELECT $1, s.app, s.env, $4, 1, clock_timestamp() + $5 * interval '1 millisecond'
       FROM unnest($2::text[], $3::text[]) AS s(app, env)
       ON CONFLICT (project, app, env) DO UPDATE SET
         token = l.token + CASE WHEN l.holder = EXCLUDED.holder THEN 0 ELSE 1 END,
         holder = EXCLUDED.holder,
         expires_at = EXCLUDED.expires_at
       WHERE l.holder = EXCLUDED.holder OR l.expires_at <= clock_timestamp()
       RETURNING l.*`,
      [project, scopes.map((s) => s.app), scopes.map((s) => s.env), holder, ttlMs],
    );
    return rows.map(toLease);
  }

  async renewAll(
    project: string,
    scopes: readonly { app: string; env: string }[],
    holder: string,
    ttlMs: number,
  ): Promise<Lease[]> {
    if (!scopes.length) return [];
    const rows = await this.db.rows<LeaseRow>(
      `UPDATE scope_leases AS l SET expires_at = clock_timestamp() + $5 * interval '1 millisecond'
       FROM unnest($2::text[], $3::text[]) AS s(app, env)
       WHERE l.project = $1 AND l.app = s.app AND l.env = s.env AND l.holder = $4
       RETURNING l.*`,
      [project, scopes.map((s) => s.app), scopes.map((s) => s.env), holder, ttlMs],
    );
    return rows.map(toLease);
  }

  async release(scope: LeaseScope, holder: string): Promise<void> {
    // Expired, not deleted: the token must keep rising for whoever claims the scope next.
    await this.db.count(
      `UPDATE scope_leases SET expires_at = 'epoch' WHERE project = $1 AND app = $2 AND env = $3 AND holder = $4`,
      [scope.project, scope.app, scope.env, holder],
    );
  }

  async list(project: string): Promise<Lease[]> {
    const rows = await this.db.rows<LeaseRow>('SELECT * FROM scope_leases WHERE project = $1 ORDER BY app, env', [
      project,
    ]);
    return rows.map(toLease);
  }
}
