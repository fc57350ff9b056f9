import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Project } from '../../config/index.js';
import { roleNames } from '../../config/auth-schema.js';
import type { Store } from '../../store/types.js';
import { Access } from '../auth/roles.js';
import { endSession, issueSession } from '../auth/session.js';
import { hashToken, type Tokens } from '../auth/tokens.js';
import { parseTime } from './params.js';

const signInBody = z.object({ token: z.string().min(1).max(200) }).strict();
const createTokenBody = z
  .object({
    name: z.string().min(1).max(63),
    role: z.enum(roleNames),
    environments: z.array(z.string().min(1)).min(1),
    user: z.string().min(1).max(200).optional(),
    email: z.string().min(3).max(200).optional(),
    expires: z.string().max(40).optional(),
  })
  .strict();
const auditQuery = z.object({
  app: z.string().optional(),
  env: z.string().optional(),
  since: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/** Who the caller is and may be, sign-in and sign-out for the dashboard, tokens, and the audit trail. */
export function accessRoutes(
  store: Store,
  tokens: Tokens,
  loaded: () => Project | undefined,
): (app: FastifyInstance) => void {
  return (app) => {
    const me = (req: FastifyRequest) => {
      const access = Access.of(req.identity, req.token, loaded()?.auth);
      const envs = loaded()?.environments.map((e) => e.name) ?? [];
      return {
        identity: { subject: req.identity.subject, name: req.identity.name, via: req.identity.via },
        can: {
          sync: access.environments('sync', envs),
          deploy: access.environments('deploy', envs),
          approve: access.environments('approve', envs),
          admin: access.can('admin'),
          audit: access.can('audit'),
        },
      };
    };
    app.get('/api/v1/me', async (req) => me(req));
    // Authenticates by the token in its body, once: the dashboard then holds only a session cookie.
    app.post('/api/v1/session', { config: { auth: 'public' } }, async (req, reply) => {
      const { token } = signInBody.parse(req.body ?? {});
      const found = await req.server.sluiceSignIn(token);
      req.identity = found.identity;
      if (found.token) req.token = found.token;
      await issueSession(reply, found.identity, hashToken(token));
      return me(req);
    });
    app.delete('/api/v1/session', async (req, reply) => {
      endSession(req, reply);
      return reply.code(204).send();
    });
    app.get('/api/v1/tokens', async () => tokens.list());
    app.post('/api/v1/tokens', async (req, reply) => {
      const b = createTokenBody.parse(req.body ?? {});
      const out = await tokens.create(b);
      return reply.code(201).send(out);
    });
    app.delete('/api/v1/tokens/:id', async (req) => tokens.revoke(z.object({ id: z.string() }).parse(req.params).id));
    app.get('/api/v1/audit', async (req) => {
      const q = auditQuery.parse(req.query);
      return store.audit.listCalls({
        ...(q.app ? { app: q.app } : {}),
        ...(q.env ? { env: q.env } : {}),
        ...(q.since ? { since: parseTime(q.since, new Date(0)).toISOString() } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      });
    });
  };
}
