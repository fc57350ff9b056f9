import type { TokenRecord } from '../../store/access-types.js';

/** Who is calling: taken from the credential (API token, session, single sign-on), never from the request body. */
export interface Identity {
  /** Stable id; two credentials with one subject are one person or system. */
  subject: string;
  /** Shown as the actor of what the identity does (ledger, events, approvals). */
  name: string;
  email?: string;
  /** Groups from single sign-on (`groups` claim); empty otherwise. */
  groups: string[];
  via: 'token' | 'oidc' | 'admin-token';
}

/** The admin token a loopback server writes into its data dir acts as this identity. */
export const ADMIN_IDENTITY: Identity = { subject: 'sluice:admin', name: 'admin', groups: [], via: 'admin-token' };

/** The identity an API token acts as. */
export function identityOfToken(t: TokenRecord): Identity {
  return { subject: t.subject, name: t.displayName, ...(t.email ? { email: t.email } : {}), groups: [], via: 'token' };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every route that is not public. */
    identity: Identity;
    /** The API token behind the call, directly or through a session; absent for single sign-on and the admin token. */
    token?: TokenRecord;
    /** Environment the call acts on, as the permission check resolved it (for the audit trail). */
    scopeEnv?: string;
  }
  interface FastifyContextConfig {
    /** `public`: the route authenticates by its own means (a webhook signature) or serves what anyone may read. */
    auth?: 'public';
  }
}
