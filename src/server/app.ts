import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ConflictError, isSluiceError, NotFoundError } from '../errors/index.js';
import type { Controller } from '../reconcile/index.js';
import type { Store } from '../store/types.js';
import type { SluiceMetrics } from './metrics.js';
import { knownNames } from './routes/params.js';

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
  /** More routes from other parts (promotion, ledger…), registered under the same error handling. */
  routes?: ((app: FastifyInstance) => void)[];
}

const syncBody = z
  .object({ dryRun: z.boolean().optional(), actor: z.string().max(200).optional(), wait: z.boolean().optional() })
  .strict();
const listQuery = z.object({
  app: z.string().optional(),
  env: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  type: z.string().optional(),
});

/** The HTTP API under /api/v1 plus /healthz, /metrics and the dashboard. */
export function buildApp(o: AppOptions): FastifyInstance {
  // Idle connections stay open longer than clients' own keep-alive, so a client never reuses a
  // socket the server is closing at that instant ("other side closed").
  const app = Fastify({ logger: false, keepAliveTimeout: 65_000 });

  const mask = o.mask;
  if (mask) {
    app.addHook('onSend', async (_req, _reply, payload) => {
      if (typeof payload === 'string') return mask(payload);
      if (Buffer.isBuffer(payload)) return mask(payload.toString('utf8'));
      return payload;
    });
  }

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof z.ZodError)
      return reply.code(400).send({ code: 'BAD_REQUEST', message: err.issues[0]?.message ?? 'bad request' });
    if (err instanceof NotFoundError) return reply.code(404).send(err.toJSON());
    if (err instanceof ConflictError) return reply.code(409).send(err.toJSON());
    if (isSluiceError(err)) return reply.code(422).send(err.toJSON());
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return reply
      .code(status)
      .send({ code: status === 500 ? 'INTERNAL' : 'BAD_REQUEST', message: (err as Error).message });
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', o.metrics.registry.contentType);
    return o.metrics.registry.metrics();
  });

  app.get('/api/v1/status', async () => o.controller.status());
  app.get<{ Params: { app: string; env: string } }>('/api/v1/apps/:app/envs/:env', async (req) =>
    o.controller.detail(req.params.app, req.params.env),
  );
  app.get<{ Params: { app: string; env: string } }>('/api/v1/apps/:app/envs/:env/plan', async (req) =>
    o.controller.plan(req.params.app, req.params.env),
  );
  app.post<{ Params: { app: string; env: string } }>('/api/v1/apps/:app/envs/:env/sync', async (req, reply) => {
    const body = syncBody.parse(req.body ?? {});
    const { app: name, env } = req.params;
    if (body.dryRun) return o.controller.plan(name, env);
    const done = o.controller.sync(name, env, { ...(body.actor ? { actor: body.actor } : {}) });
    if (body.wait) return { sync: (await done) ?? null };
    done.catch(() => undefined);
    return reply.code(202).send({ queued: true });
  });
  app.get('/api/v1/syncs', async (req) => {
    const q = listQuery.parse(req.query);
    knownNames(o.controller.project, q);
    return o.store.listSyncs({ project: o.controller.projectName, ...strip(q) });
  });
  app.get('/api/v1/events', async (req) => {
    const q = listQuery.parse(req.query);
    knownNames(o.controller.project, q);
    return o.store.listEvents({ project: o.controller.projectName, ...strip(q) });
  });
  app.get<{ Params: { app: string; env: string } }>('/api/v1/apps/:app/envs/:env/logs', async (req) => {
    const q = z
      .object({
        process: z.string().optional(),
        container: z.string().optional(),
        since: z.coerce.number().int().min(1).optional(),
        lines: z.coerce.number().int().min(1).max(10_000).default(100),
      })
      .parse(req.query);
    await o.controller.detail(req.params.app, req.params.env); // logs are only offered for known scopes
    if (!o.readLogs) throw new NotFoundError('NO_LOGS', 'this target keeps no logs Sluice can read');
    return o.readLogs({
      app: req.params.app,
      env: req.params.env,
      lines: q.lines,
      ...(q.process ? { process: q.process } : {}),
      ...(q.container ? { container: q.container } : {}),
      ...(q.since !== undefined ? { sinceSeconds: q.since } : {}),
    });
  });

  for (const register of o.routes ?? []) register(app);

  if (o.uiDir && existsSync(o.uiDir)) {
    void app.register(fastifyStatic, { root: o.uiDir, prefix: '/', index: 'index.html' });
  } else {
    app.get('/', async (_req, reply) =>
      reply.type('text/plain').send('The dashboard is not built. Run `npm run build:ui`; the API is under /api/v1.\n'),
    );
  }
  return app;
}

function strip<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
