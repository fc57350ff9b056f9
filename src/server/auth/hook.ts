import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Project } from '../../config/index.js';
import type { Store } from '../../store/types.js';
import { ForbiddenError, UnauthenticatedError } from './errors.js';
import { ADMIN_IDENTITY, identityOfToken, type Identity } from './identity.js';
import { ruleFor } from './permissions.js';
import { Access } from './roles.js';
import { CSRF_HEADER, SESSION_COOKIE, Sessions } from './session.js';
import { hashToken, isActive, type Tokens } from './tokens.js';

export interface AuthOptions {
  store: Store;
  tokens: Tokens;
  /** The newest loaded sluice.yaml, for its spec.auth grants. */
  project: () => Project | undefined;
  /** SHA-256 of the admin token a loopback server wrote into its data dir. */
  adminTokenHash?: string;
}

export const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const SIGN_IN_HINT =
  'Send `Authorization: Bearer <token>`: the CLI reads SLUICE_TOKEN or ~/.config/sluice/token; create a token with `sluice token create`.';

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The one authentication and authorization hook. Every route is authenticated (bearer token or
 * dashboard session) unless its registration says `config: { auth: 'public' }`, then checked
 * against the route → permission table once its body is parsed.
 */
export function installAuth(app: FastifyInstance, o: AuthOptions): void {
  app.decorate('sluiceSessions', new Sessions());
  // Every route as registered, for the test that proves each one is public or has a rule.
  const routes: RegisteredRoute[] = [];
  app.decorate('sluiceRoutes', routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat())
      routes.push({
        method,
        url: r.url,
        get config() {
          return r.config as { auth?: string } | undefined;
        },
      });
  });
  app.decorateRequest('identity', undefined as unknown as Identity);

  /** The identity a presented token stands for, or undefined when it is not a valid one. */
  const byToken = async (presented: string): Promise<{ identity: Identity; token?: FastifyRequest['token'] }> => {
    if (o.adminTokenHash && sameHash(hashToken(presented), o.adminTokenHash)) return { identity: ADMIN_IDENTITY };
    const token = await o.tokens.verify(presented);
    if (!token)
      throw new UnauthenticatedError('AUTH_INVALID_TOKEN', 'the token is unknown, revoked or expired', {
        hint: 'Create a new one with `sluice token create` (an admin can list them with `sluice token list`).',
      });
    return { identity: identityOfToken(token), token };
  };
  app.decorate('sluiceSignIn', byToken);

  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.config?.auth === 'public') return;
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) {
        void reply.header('www-authenticate', 'Bearer');
        throw new UnauthenticatedError('AUTH_BAD_HEADER', 'the Authorization header is not `Bearer <token>`', {
          hint: SIGN_IN_HINT,
        });
      }
      const found = await byToken(m[1]!).catch((e: unknown) => {
        void reply.header('www-authenticate', 'Bearer error="invalid_token"');
        throw e;
      });
      req.identity = found.identity;
      if (found.token) req.token = found.token;
      return;
    }
    const sessionId = req.cookies[SESSION_COOKIE];
    const session = req.server.sluiceSessions.get(sessionId);
    if (session) {
      if (session.tokenHash && session.tokenHash !== o.adminTokenHash) {
        const token = await o.store.access.findTokenByHash(session.tokenHash);
        if (!token || !isActive(token, new Date())) {
          req.server.sluiceSessions.end(sessionId);
          throw new UnauthenticatedError('AUTH_SESSION_ENDED', 'the token this session signed in with was revoked', {
            hint: 'Sign in again with a valid token.',
          });
        }
        req.token = token;
      }
      // A cookie rides along with any request the browser makes, a forged cross-site form
      // included; a header only the dashboard's own script can read and set proves the origin.
      if (MUTATING.has(req.method)) {
        const sent = req.headers[CSRF_HEADER];
        if (
          typeof sent !== 'string' ||
          sent.length !== session.csrf.length ||
          !timingSafeEqual(Buffer.from(sent), Buffer.from(session.csrf))
        )
          throw new ForbiddenError('AUTH_CSRF', `a request signed in by cookie must carry the ${CSRF_HEADER} header`, {
            hint: 'The dashboard sends it from the sluice_csrf cookie; scripts should use a bearer token instead.',
          });
      }
      req.identity = session.identity;
      return;
    }
    void reply.header('www-authenticate', 'Bearer');
    throw new UnauthenticatedError('AUTH_REQUIRED', 'this needs a credential', { hint: SIGN_IN_HINT });
  });

  app.addHook('preHandler', async (req) => {
    if (req.routeOptions.config?.auth === 'public' || req.is404) return;
    const rule = ruleFor(req.method, req.routeOptions.url);
    if (!rule)
      throw new ForbiddenError('AUTH_NO_RULE', `no permission rule covers ${req.method} ${req.routeOptions.url}`, {
        hint: 'Every route needs an entry in src/server/auth/permissions.ts or config: { auth: "public" }.',
      });
    const env = await rule.env?.(req, { store: o.store });
    if (env !== undefined) req.scopeEnv = env;
    const access = Access.of(req.identity, req.token, o.project()?.auth);
    if (!access.can(rule.permission, env)) {
      throw new ForbiddenError(
        'AUTH_FORBIDDEN',
        `${req.identity.name} may not ${rule.permission}${env ? ` in ${env}` : ''}`,
        {
          hint: 'Ask an admin for a token with that role on that environment, or a grant under spec.auth.roles in sluice.yaml.',
        },
      );
    }
  });
}

export interface RegisteredRoute {
  method: string;
  url: string;
  /** Read after registration: plugins may mark a route public once it is added. */
  config: { auth?: string } | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    sluiceRoutes: RegisteredRoute[];
    /** Checks a presented token (API or admin): for the sign-in route. */
    sluiceSignIn(presented: string): Promise<{ identity: Identity; token?: FastifyRequest['token'] }>;
  }
}
