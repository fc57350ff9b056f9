import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ConflictError, isSluiceError, NotFoundError } from '../errors/index.js';
import type { Controller } from '../reconcile/index.js';
import type { Store } from '../store/types.js';
import { recordCalls } from './audit.js';
import { ForbiddenError, UnauthenticatedError } from './auth/errors.js';
import { installAuth } from './auth/hook.js';
import { Tokens } from './auth/tokens.js';
import { installLimits, type RateLimit } from './limits.js';
import type { SluiceMetrics } from './metrics.js';
import { accessRoutes } from './routes/access.js';
import { followLogs } from './routes/follow-logs.js';
import { knownNames } from './routes/params.js';
import { statusRoutes } from './routes/status.js';

export interface AppOptions {
  controller: Controller;
  store: Store;
  metrics: SluiceMetrics;
  /**
   * Replaces secret values in a text with their fingerprints. Every response body passes
   * through it, whatever route produced it, so no request (whatever it asks for) gets plaintext.
   */
  mask?: (text: string) => string;
  /** Built dashboard (dist/ui); served at / when present. */
  uiDir?: string;
  /** Reads process logs for `sluice logs`; absent when no provider keeps logs. */
  readLogs?: (q: {
    app: string;
    env: string;
    process?: string;
    container?: string;
    sinceSeconds?: number;
    lines: number;
  }) => Promise<{ file: string; lines: string[] }[]>;
  /** `sluice logs --follow`: lines as they are written, until the signal aborts; absent with readLogs. */
  followLogs?: (
    q: { app: string; env: string; process?: string; container?: string; sinceSeconds?: number; lines: number },
    signal: AbortSignal,
  ) => AsyncIterable<{ stream: string; text: string }>;
  /** More routes from other parts (promotion, ledger…), registered under the same error handling. */
  routes?: ((app: FastifyInstance) => void)[];
  /** SHA-256 of the admin token a loopback server wrote into its data dir. */
  adminTokenHash?: string;
  /** /metrics without a credential: only on a server bound to loopback. */
  publicMetrics?: boolean;
  /** Mutating requests per credential and window. */
  rateLimit?: RateLimit;
}

/** Largest request body: the biggest is a set-image with a few artifacts, well below this. */
export const BODY_LIMIT = 256 * 1024;

const syncBody = z.object({ dryRun: z.boolean().optional(), wait: z.boolean().optional() }).strict();
const listQuery = z.object({
  app: z.string().optional(),
  env: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  type: z.string().optional(),
});

/** Answers this long (the whole status of thousands of scopes) are kept encoded while unchanged. */
const LARGE_ANSWER = 64 * 1024;

/** The HTTP API under /api/v1 plus /healthz, /metrics and the dashboard. */
export function buildApp(o: AppOptions): FastifyInstance {
  // Idle connections stay open longer than clients' own keep-alive, so a client never reuses a
  // socket the server is closing at that instant ("other side closed").
  const app = Fastify({ logger: false, keepAliveTimeout: 65_000, bodyLimit: BODY_LIMIT });
  const tokens = new Tokens(o.store.access);
  installLimits(app, o.rateLimit);
  installAuth(app, {
    store: o.store,
    tokens,
    project: () => o.controller.project,
    ...(o.adminTokenHash ? { adminTokenHash: o.adminTokenHash } : {}),
  });
  recordCalls(app, o.store.audit);

  const mask = o.mask;
  if (mask) {
    let sent: { text: string; body: Buffer } | undefined;
    app.addHook('onSend', async (_req, _reply, payload) => {
      if (typeof payload === 'string') {
        const masked = mask(payload);
        if (masked.length < LARGE_ANSWER) return masked;
        // A large answer sent again unchanged (the whole status, many times a second) goes out
        // as the same bytes instead of being encoded again for each request.
        if (sent?.text !== masked) sent = { text: masked, body: Buffer.from(masked, 'utf8') };
        return sent.body;
      }
      if (Buffer.isBuffer(payload)) return mask(payload.toString('utf8'));
      return payload;
    });
  }

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof z.ZodError)
      return reply.code(400).send({ code: 'BAD_REQUEST', message: err.issues[0]?.message ?? 'bad request' });
    if (err instanceof NotFoundError) return reply.code(404).send(err.toJSON());
    if (err instanceof ConflictError) return reply.code(409).send(err.toJSON());
    if (err instanceof UnauthenticatedError) return reply.code(401).send(err.toJSON());
    if (err instanceof ForbiddenError) return reply.code(403).send(err.toJSON());
    // Approving one's own change is a refusal of who asks, not of what is asked.
    if (isSluiceError(err) && err.code === 'PROMOTE_SELF_APPROVAL') return reply.code(403).send(err.toJSON());
    if (isSluiceError(err)) return reply.code(422).send(err.toJSON());
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status === 429) {
      const { message, hint } = err as { message?: string; hint?: string };
      return reply.code(429).send({ code: 'RATE_LIMITED', message, hint, retry: true });
    }
    return reply
      .code(status)
      .send({ code: status === 500 ? 'INTERNAL' : 'BAD_REQUEST', message: (err as Error).message });
  });

  // Routes go in a plugin registered after the limits, so the rate limit (added to each route
  // as it is registered) covers every one of them.
  void app.register(async (api) => {
    api.get('/healthz', { config: { auth: 'public' } }, async () => ({ ok: true }));
    // Readiness, for a load balancer or Kubernetes: a replica that holds no lease still serves
    // the API and is ready; one whose store does not answer is not.
    api.get('/readyz', { config: { auth: 'public' } }, async (_req, reply) => {
      const store = await probeStore(o.store);
      const replica = o.controller.replica();
      const ready = store === 'ok';
      return reply.code(ready ? 200 : 503).send({ ready, ...replica, store });
    });
    api.get('/metrics', { config: o.publicMetrics ? { auth: 'public' } : {} }, async (_req, reply) => {
      reply.header('content-type', o.metrics.registry.contentType);
      return o.metrics.registry.metrics();
    });

    statusRoutes(o.controller, o.mask)(api);
    api.get<{ Params: { app: string; env: string } }>('/api/v1/apps/:app/envs/:env', async (req) =>
      o.controller.detail(req.params.app, req.params.env),
    );
    api.get<{ Params: { app: string; env: string } }>('/api/v1/apps/:app/envs/:env/plan', async (req) =>
      o.controller.plan(req.params.app, req.params.env),
    );
    api.post<{ Params: { app: string; env: string } }>('/api/v1/apps/:app/envs/:env/sync', async (req, reply) => {
      const body = syncBody.parse(req.body ?? {});
      const { app: name, env } = req.params;
      if (body.dryRun) return o.controller.plan(name, env);
      const done = o.controller.sync(name, env, { actor: req.identity.name });
      if (body.wait) return { sync: (await done) ?? null };
      done.catch(() => undefined);
      return reply.code(202).send({ queued: true });
    });
    api.get('/api/v1/syncs', async (req) => {
      const q = listQuery.parse(req.query);
      knownNames(o.controller.project, q);
      return o.store.listSyncs({ project: o.controller.projectName, ...strip(q) });
    });
    api.get('/api/v1/events', async (req) => {
      const q = listQuery.parse(req.query);
      knownNames(o.controller.project, q);
      return o.store.listEvents({ project: o.controller.projectName, ...strip(q) });
    });
    api.get<{ Params: { app: string; env: string } }>('/api/v1/apps/:app/envs/:env/logs', async (req, reply) => {
      const q = z
        .object({
          process: z.string().optional(),
          container: z.string().optional(),
          since: z.coerce.number().int().min(1).optional(),
          lines: z.coerce.number().int().min(1).max(10_000).default(100),
          follow: z.enum(['true', 'false']).optional(),
        })
        .parse(req.query);
      await o.controller.detail(req.params.app, req.params.env); // logs are only offered for known scopes
      if (!o.readLogs) throw new NotFoundError('NO_LOGS', 'this target keeps no logs Sluice can read');
      const query = {
        app: req.params.app,
        env: req.params.env,
        lines: q.lines,
        ...(q.process ? { process: q.process } : {}),
        ...(q.container ? { container: q.container } : {}),
        ...(q.since !== undefined ? { sinceSeconds: q.since } : {}),
      };
      if (q.follow === 'true' && o.followLogs) return followLogs(o.followLogs, query, reply, o.mask);
      return o.readLogs(query);
    });

    accessRoutes(o.store, tokens, () => o.controller.project)(api);
    for (const register of o.routes ?? []) register(api);

    if (o.uiDir && existsSync(o.uiDir)) {
      const uiDir = o.uiDir;
      // The dashboard's files are public: it signs in through the API, which is not.
      void api.register(async (ui) => {
        ui.addHook('onRoute', (route) => {
          route.config = { ...(route.config as object), auth: 'public' };
        });
        await ui.register(fastifyStatic, { root: uiDir, prefix: '/', index: 'index.html' });
      });
    } else {
      api.get('/', { config: { auth: 'public' } }, async (_req, reply) =>
        reply
          .type('text/plain')
          .send('The dashboard is not built. Run `npm run build:ui`; the API is under /api/v1.\n'),
      );
    }
  });
  return app;
}

function strip<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** How long /readyz waits for the store before calling it unreachable. */
const STORE_PROBE_MS = 3000;

/** 'ok' when the store answers a read (and, on PostgreSQL, its migrations are done); else why not. */
async function probeStore(store: Store): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`the store did not answer within ${STORE_PROBE_MS / 1000}s`), STORE_PROBE_MS);
  });
  try {
    return await Promise.race([store.listSyncs({ limit: 1 }).then(() => 'ok'), timeout]);
  } catch (e) {
    return (e as Error).message;
  } finally {
    clearTimeout(timer);
  }
}
