import type Database from 'better-sqlite3';
import { toToken, type Row } from '../access-rows.js';
import type { AccessStore, NewToken, TokenRecord } from '../access-types.js';

export class SqliteAccess implements AccessStore {
  constructor(private readonly db: Database.Database) {}

  async createToken(t: NewToken): Promise<TokenRecord> {
    const info = this.db
      .prepare(
        `INSERT INTO api_tokens (name, hash, subject, display_name, email, role, environments, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        t.name,
        t.hash,
        t.subject,
        t.displayName,
        t.email ?? null,
        t.role,
        JSON.stringify(t.environments),
        t.createdAt ?? new Date().toISOString(),
        t.expiresAt ?? null,
      );
    return toToken(this.db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(info.lastInsertRowid) as Row);
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (this.db.prepare('SELECT * FROM api_tokens ORDER BY id').all() as Row[]).map(toToken);
  }

  async findTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const r = this.db.prepare('SELECT * FROM api_tokens WHERE hash = ?').get(hash) as Row | undefined;
    return r ? toToken(r) : undefined;
  }

  async revokeToken(id: number, at: string): Promise<TokenRecord | undefined> {
    this.db.prepare('UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(at, id);
    const r = this.db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as Row | undefined;
    return r ? toToken(r) : undefined;
  }
}
