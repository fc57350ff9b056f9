import { createHash, randomBytes } from 'node:crypto';
import { NotFoundError, ValidationError } from '../../errors/index.js';
import type { AccessStore, Role, TokenRecord } from '../../store/access-types.js';
import { roleNames } from '../../config/auth-schema.js';

/** Every Sluice token starts with this, so a leaked one is easy to find in logs and by secret scanners. */
export const TOKEN_PREFIX = 'sluice_';

/** A new token: 256 random bits. */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * Tokens are stored as their SHA-256. A slow password hash (bcrypt, scrypt) protects secrets
 * people choose, which are guessable; a token is 256 random bits, so no guess gets near and a
 * fast hash loses nothing, while it lets the server find a token by its hash in one indexed look-up
 * on every request.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface CreateToken {
  name: string;
  role: Role;
  environments: string[];
  /** Who the token acts as; defaults to the token itself (`token:<name>`). */
  user?: string;
  email?: string;
  /** `30d`, `12h`, or an ISO time. */
  expires?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Creates, lists, revokes and checks API tokens; the secret is returned once and never stored. */
export class Tokens {
  constructor(
    private readonly store: AccessStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(c: CreateToken): Promise<{ token: string; record: TokenRecord }> {
    if (!NAME.test(c.name))
      throw new ValidationError('TOKEN_BAD_NAME', `"${c.name}" is not a token name`, {
        hint: 'Use letters, digits, ".", "_" or "-" (up to 63), such as ci-app.',
      });
    if (!(roleNames as readonly string[]).includes(c.role))
      throw new ValidationError('TOKEN_BAD_ROLE', `"${c.role}" is not a role`, {
        hint: `Use one of: ${roleNames.join(', ')}.`,
      });
    if (c.environments.length === 0)
      throw new ValidationError('TOKEN_NO_ENV', `token "${c.name}" names no environment`, {
        hint: 'Pass --env <name> (repeatable), or --env "*" for every environment.',
      });
    if ((await this.store.listTokens()).some((t) => t.name === c.name))
      throw new ValidationError('TOKEN_EXISTS', `a token named "${c.name}" exists already`, {
        hint: `Revoke it first (\`sluice token revoke ${c.name}\`) or choose another name.`,
      });
    const token = generateToken();
    const record = await this.store.createToken({
      name: c.name,
      hash: hashToken(token),
      subject: c.user ? `user:${c.user}` : `token:${c.name}`,
      displayName: c.user ?? c.name,
      ...(c.email ? { email: c.email } : {}),
      role: c.role,
      environments: c.environments,
      createdAt: this.now().toISOString(),
      ...(c.expires ? { expiresAt: expiryOf(c.expires, this.now()).toISOString() } : {}),
    });
    return { token, record };
  }

  list(): Promise<TokenRecord[]> {
    return this.store.listTokens();
  }

  /** Revokes by name or id. */
  async revoke(nameOrId: string): Promise<TokenRecord> {
    const all = await this.store.listTokens();
    const found = all.find((t) => t.name === nameOrId) ?? all.find((t) => String(t.id) === nameOrId);
    if (!found)
      throw new NotFoundError('TOKEN_NOT_FOUND', `no token named "${nameOrId}"`, {
        hint: 'List them with `sluice token list`.',
      });
    return (await this.store.revokeToken(found.id, this.now().toISOString()))!;
  }

  /** The token record a presented secret belongs to, when it is valid now. */
  async verify(presented: string): Promise<TokenRecord | undefined> {
    if (!presented.startsWith(TOKEN_PREFIX)) return undefined;
    const t = await this.store.findTokenByHash(hashToken(presented));
    return t && isActive(t, this.now()) ? t : undefined;
  }

  /** Whether any token could authenticate now. */
  async anyActive(): Promise<boolean> {
    const now = this.now();
    return (await this.store.listTokens()).some((t) => isActive(t, now));
  }
}

export function isActive(t: TokenRecord, now: Date): boolean {
  return !t.revokedAt && (!t.expiresAt || Date.parse(t.expiresAt) > now.getTime());
}

/** `30d`, `12h`, `90m` from now, or an ISO time in the future. */
export function expiryOf(text: string, now: Date): Date {
  const m = /^(\d+)([dhm])$/.exec(text);
  const at = m
    ? new Date(now.getTime() + Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'])
    : new Date(Date.parse(text));
  if (Number.isNaN(at.getTime()) || at.getTime() <= now.getTime())
    throw new ValidationError('TOKEN_BAD_EXPIRY', `"${text}" is not a time in the future`, {
      hint: 'Use an age such as 30d, 12h or 90m, or an ISO time such as 2027-01-01T00:00:00Z.',
    });
  return at;
}
