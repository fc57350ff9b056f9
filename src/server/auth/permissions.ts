import type { FastifyRequest } from 'fastify';
import type { Store } from '../../store/types.js';
import type { Permission } from './roles.js';

export interface RouteRule {
  permission: Permission;
  /** The environment the call acts on, when it acts on one. */
  env?: (req: FastifyRequest, ctx: { store: Store }) => string | undefined | Promise<string | undefined>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const fromParams = (req: FastifyRequest) => str((req.params as Record<string, unknown> | undefined)?.env);
const fromQuery = (req: FastifyRequest) => str((req.query as Record<string, unknown> | undefined)?.env);
const fromBody = (field: string) => (req: FastifyRequest) =>
  str((req.body as Record<string, unknown> | undefined)?.[field]);
/** A review acts on the environment of the request it reviews. */
const ofPromotion = async (req: FastifyRequest, { store }: { store: Store }) => {
  const id = Number((req.params as Record<string, unknown> | undefined)?.id);
  if (!Number.isInteger(id) || id < 1) return undefined;
  return (await store.ledger.getPromotion(id))?.env;
};

/**
 * What every route needs, by method and route pattern: the one place permissions are decided.
 * A route neither here nor marked `config: { auth: 'public' }` is refused to everyone (fail
 * closed), and a test walks every registered route against this table.
 */
export const ROUTE_PERMISSIONS: Readonly<Record<string, RouteRule>> = {
  'GET /metrics': { permission: 'read' },
  'GET /api/v1/me': { permission: 'authenticated' },
  'DELETE /api/v1/session': { permission: 'authenticated' },
  'GET /api/v1/status': { permission: 'read' },
  'GET /api/v1/status/stream': { permission: 'read' },
  'GET /api/v1/apps/:app/envs/:env': { permission: 'read', env: fromParams },
  'GET /api/v1/apps/:app/envs/:env/plan': { permission: 'read', env: fromParams },
  'GET /api/v1/apps/:app/envs/:env/logs': { permission: 'read', env: fromParams },
  'GET /api/v1/apps/:app/envs/:env/containers': { permission: 'read', env: fromParams },
  'POST /api/v1/apps/:app/envs/:env/sync': { permission: 'sync', env: fromParams },
  'GET /api/v1/syncs': { permission: 'read', env: fromQuery },
  'GET /api/v1/events': { permission: 'read', env: fromQuery },
  'POST /api/v1/apps/:app/envs/:env/artifacts': { permission: 'deploy', env: fromParams },
  'POST /api/v1/promotions': { permission: 'deploy', env: fromBody('to') },
  'GET /api/v1/promotions': { permission: 'read', env: fromQuery },
  'GET /api/v1/promotions/:id': { permission: 'read', env: ofPromotion },
  'POST /api/v1/promotions/:id/approve': { permission: 'approve', env: ofPromotion },
  'POST /api/v1/promotions/:id/reject': { permission: 'approve', env: ofPromotion },
  'POST /api/v1/apps/:app/envs/:env/rollback': { permission: 'deploy', env: fromParams },
  'GET /api/v1/ledger': { permission: 'read', env: fromQuery },
  'GET /api/v1/what-ran': { permission: 'read', env: fromQuery },
  'GET /api/v1/dora': { permission: 'read', env: fromQuery },
  'GET /api/v1/ledger/verify': { permission: 'read' },
  'GET /api/v1/holds': { permission: 'read', env: fromQuery },
  'POST /api/v1/holds/lift': { permission: 'approve', env: fromBody('env') },
  'GET /api/v1/audit': { permission: 'audit' },
  'GET /api/v1/tokens': { permission: 'admin' },
  'POST /api/v1/tokens': { permission: 'admin' },
  'DELETE /api/v1/tokens/:id': { permission: 'admin' },
};

/**
 * Routes anyone may call, each also marked public by its own registration: health, how a
 * credential is obtained, and what the sign-in page offers. The dashboard's files are public
 * too (see app.ts). A test holds every public route to this list, so none becomes public by
 * accident.
 */
export const PUBLIC_ROUTES: readonly string[] = [
  'GET /healthz',
  'GET /readyz',
  'POST /api/v1/session',
  'GET /auth/oidc/config',
  'GET /auth/oidc/login',
  'GET /auth/oidc/callback',
];

/** `HEAD` answers like `GET`. */
export function ruleFor(method: string, url: string | undefined): RouteRule | undefined {
  if (!url) return undefined;
  return ROUTE_PERMISSIONS[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}
