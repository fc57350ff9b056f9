import type { Role, TokenRecord } from './access-types.js';

export type Row = Record<string, unknown>;

/** A row of api_tokens (either store) as a TokenRecord. */
export function toToken(r: Row): TokenRecord {
  const t: TokenRecord = {
    id: Number(r.id),
    name: r.name as string,
    subject: r.subject as string,
    displayName: r.display_name as string,
    role: r.role as Role,
    environments: JSON.parse(r.environments as string) as string[],
    createdAt: r.created_at as string,
  };
  if (typeof r.email === 'string') t.email = r.email;
  if (typeof r.expires_at === 'string') t.expiresAt = r.expires_at;
  if (typeof r.revoked_at === 'string') t.revokedAt = r.revoked_at;
  return t;
}
