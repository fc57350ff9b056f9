import type { AuthSpec } from '../../config/auth-schema.js';
import type { Role, TokenRecord } from '../../store/access-types.js';
import type { Identity } from './identity.js';

/** What a route needs. `authenticated`: any valid credential; `audit`: an admin or an approver anywhere. */
export type Permission = 'read' | 'sync' | 'deploy' | 'approve' | 'admin' | 'audit' | 'authenticated';

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  deployer: ['read', 'sync', 'deploy'],
  approver: ['read', 'approve'],
  admin: ['read', 'sync', 'deploy', 'approve', 'admin'],
};

interface Grant {
  role: Role;
  environments: readonly string[];
}

/**
 * Everything one identity may do: the role its token was created with, plus every grant of
 * sluice.yaml's spec.auth that names the token, the identity (subject or name), its email or
 * one of its groups.
 */
export class Access {
  private constructor(private readonly grants: readonly Grant[]) {}

  static of(identity: Identity, token: TokenRecord | undefined, auth: AuthSpec | undefined): Access {
    if (identity.via === 'admin-token') return new Access([{ role: 'admin', environments: ['*'] }]);
    const grants: Grant[] = token ? [{ role: token.role, environments: token.environments }] : [];
    const email = identity.email?.toLowerCase();
    for (const g of auth?.roles ?? []) {
      const named =
        (token && g.tokens?.includes(token.name)) ||
        g.subjects?.includes(identity.subject) ||
        g.subjects?.includes(identity.name) ||
        (email !== undefined && g.emails?.some((e) => e.toLowerCase() === email)) ||
        g.groups?.some((x) => identity.groups.includes(x));
      if (named) grants.push({ role: g.role, environments: g.environments });
    }
    return new Access(grants);
  }

  /**
   * Whether the identity holds `permission` in `env`. Without an environment, a grant in any
   * environment will do, except `admin`, which then needs admin on every environment ("*").
   */
  can(permission: Permission, env?: string): boolean {
    if (permission === 'authenticated') return true;
    if (permission === 'audit') return this.can('admin') || this.grants.some((g) => g.role === 'approver');
    return this.grants.some((g) => {
      if (!ROLE_PERMISSIONS[g.role].includes(permission)) return false;
      if (permission === 'admin' && env === undefined) return g.environments.includes('*');
      return env === undefined || g.environments.includes('*') || g.environments.includes(env);
    });
  }

  /** The environments (of `all`) where the identity holds `permission`. */
  environments(permission: Permission, all: readonly string[]): string[] {
    return all.filter((e) => this.can(permission, e));
  }
}
