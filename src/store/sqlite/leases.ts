import type Database from 'better-sqlite3';
import type { Lease, LeaseScope, LeaseStore } from '../lease-types.js';

interface LeaseRow {
  project: string;
  app: string;
  env: string;
  holder: string;
  token: number;
  expires_at: string;
}

const toLease = (r: LeaseRow): Lease => ({
  project: r.project,
  app: r.app,
  env: r.env,
  holder: r.holder,
  token: r.token,
  expiresAt: r.expires_at,
});

/** Scope leases in SQLite (migration 5); times from this process's clock, as ISO text. */
export class SqliteLeases implements LeaseStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  async claim(scope: LeaseScope, holder: string, ttlMs: number): Promise<Lease | undefined> {
    const now = this.now();
    const changed = this.db
      .prepare(
        `INSERT INTO scope_leases (project, app, env, holder, token, expires_at) VALUES (?, ?, ?, ?, 1, ?)
         ON CONFLICT (project, app, env) DO UPDATE SET
           token = token + CASE WHEN holder = excluded.holder THEN 0 ELSE 1 END,
           holder = excluded.holder,
           expires_at = excluded.expires_at
         WHERE holder = excluded.holder OR expires_at <= ?`,
      )
      .run(
        scope.project,
        scope.app,
        scope.env,
        holder,
        new Date(now + ttlMs).toISOString(),
        new Date(now).toISOString(),
      ).changes;
    if (!changed) return undefined;
    const row = this.db
      .prepare('SELECT * FROM scope_leases WHERE project = ? AND app = ? AND env = ?')
      .get(scope.project, scope.app, scope.env) as LeaseRow;
    return toLease(row);
  }

  async claimAll(
    project: string,
    scopes: readonly { app: string; env: string }[],
    holder: string,
    ttlMs: number,
  ): Promise<Lease[]> {
    // In-process, each claim is a statement on the file with no round trip to save.
    const out: Lease[] = [];
    for (const s of scopes) {
      const lease = await this.claim({ project, ...s }, holder, ttlMs);
      if (lease) out.push(lease);
    }
    return out;
  }

  async renewAll(
    project: string,
    scopes: readonly { app: string; env: string }[],
    holder: string,
    ttlMs: number,
  ): Promise<Lease[]> {
    const expires = new Date(this.now() + ttlMs).toISOString();
    const renew = this.db.prepare(
      'UPDATE scope_leases SET expires_at = ? WHERE project = ? AND app = ? AND env = ? AND holder = ? RETURNING *',
    );
    // In-process: one transaction is the round trip.
    const rows = this.db.transaction(() =>
      scopes.flatMap((s) => (renew.all(expires, project, s.app, s.env, holder) as LeaseRow[]).map(toLease)),
    )();
    return rows;
  }

  async release(scope: LeaseScope, holder: string): Promise<void> {
    // Expired, not deleted: the token must keep rising for whoever claims the scope next.
    this.db
      .prepare('UPDATE scope_leases SET expires_at = ? WHERE project = ? AND app = ? AND env = ? AND holder = ?')
      .run(new Date(0).toISOString(), scope.project, scope.app, scope.env, holder);
  }

  async list(project: string): Promise<Lease[]> {
    const rows = this.db
      .prepare('SELECT * FROM scope_leases WHERE project = ? ORDER BY app, env')
      .all(project) as LeaseRow[];
    return rows.map(toLease);
  }
}
