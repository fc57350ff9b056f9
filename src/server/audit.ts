import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AuditStore } from '../store/audit-types.js';
import { MUTATING } from './auth/hook.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * Records every mutating call once answered: who (from the credential, or `anonymous`), which
 * route, which app and environment, and the status. Bodies are never recorded: a sign-in
 * carries a token.
 */
export function recordCalls(app: FastifyInstance, audit: AuditStore, log?: Pick<Logger, 'warn'>): void {
  app.addHook('onResponse', async (req, reply) => {
    if (!MUTATING.has(req.method)) return;
    const params = (req.params ?? {}) as Record<string, unknown>;
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const appName = str(params.app) ?? str(body.app);
    const env = req.scopeEnv ?? str(params.env);
    await audit
      .recordCall({
        at: new Date().toISOString(),
        subject: req.identity?.subject ?? 'anonymous',
        actor: req.identity?.name ?? 'anonymous',
        method: req.method,
        route: req.routeOptions.url ?? '(no route)',
        ...(appName ? { app: appName } : {}),
        ...(env ? { env } : {}),
        status: reply.statusCode,
      })
      .catch((e: unknown) => log?.warn({ err: e }, 'recording an API call in the audit trail failed'));
  });
}
