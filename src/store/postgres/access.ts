import { toToken, type Row } from '../access-rows.js';
import type { AccessStore, NewToken, TokenRecord } from '../access-types.js';
import type { PgDb } from './db.js';

/** API tokens in PostgreSQL (migration 9): only their hashes. */
export class PgAccess implements AccessStore {
  constructor(private readonly db: PgDb) {}

  async createToken(t: NewToken): Promise<TokenRecord> {
    const row = await this.db.one<Row>(
      `INSERT INTO api_tokens (name, hash, subject, display_name, email, role, environments, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        t.name,
        t.hash,
        t.subject,
        t.displayName,
        t.email ?? null,
        t.role,
        JSON.stringify(t.environments),
        t.createdAt ?? new Date().toISOString(),
        t.expiresAt ?? null,
      ],
    );
    return toToken(row!);
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (await this.db.rows<Row>('SELECT * FROM api_tokens ORDER BY id')).map(toToken);
  }

  async findTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const r = await this.db.one<Row>('SELECT * FROM api_tokens WHERE hash = $1', [hash]);
    return r ? toToken(r) : undefined;
  }

  async revokeToken(id: number, at: string): Promise<TokenRecord | undefined> {
    const r = await this.db.one<Row>(
      'UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 RETURNING *',
      [at, id],
    );
    return r ? toToken(r) : undefined;
  }
}
