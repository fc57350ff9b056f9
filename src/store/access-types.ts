/**
 * API tokens: who holds a credential, what it may do, and its hash. The secret itself is never
 * stored; a token is found by the hash of what the client sends.
 */

export type Role = 'viewer' | 'deployer' | 'approver' | 'admin';

export interface TokenRecord {
  id: number;
  /** Unique, chosen by whoever created it (`ci-app`). */
  name: string;
  /** The identity the token acts as; tokens sharing a subject are one person or system. */
  subject: string;
  /** Shown as the actor of what the token does. */
  displayName: string;
  email?: string;
  role: Role;
  /** Environment names, or `*` for every one. */
  environments: string[];
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
}

export type NewToken = Omit<TokenRecord, 'id' | 'createdAt' | 'revokedAt'> & { hash: string; createdAt?: string };

export interface AccessStore {
  createToken(token: NewToken): Promise<TokenRecord>;
  listTokens(): Promise<TokenRecord[]>;
  /** The token whose secret hashes to `hash`, revoked or not (the caller decides). */
  findTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  /** Marks a token revoked; returns it, or undefined when no token has that id. */
  revokeToken(id: number, at: string): Promise<TokenRecord | undefined>;
}
