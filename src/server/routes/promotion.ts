import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Project } from '../../config/index.js';
import { approve, parseArtifactArg, promote, reject, rollback, type PromotionService } from '../../promote/index.js';
import { idParam, knownNames } from './params.js';

const scopeParams = z.object({ app: z.string().min(1), env: z.string().min(1) });
const context = {
  dryRun: z.boolean().optional(),
  sourceCommit: z.string().max(100).optional(),
  sourceTime: z.string().datetime({ offset: true }).optional(),
  ciRun: z.string().max(2000).optional(),
};
const setImageBody = z.object({ artifacts: z.array(z.string()).min(1), ...context }).strict();
const promoteBody = z
  .object({ app: z.string().min(1), to: z.string().min(1), from: z.string().optional(), ...context })
  .strict();
const reviewBody = z.object({ comment: z.string().max(4000).optional(), dryRun: z.boolean().optional() }).strict();
const rollbackBody = z
  .object({
    to: z.string().max(100).optional(),
    dryRun: z.boolean().optional(),
    wait: z.boolean().optional(),
    timeoutSeconds: z.number().int().min(1).max(3600).optional(),
    reason: z.string().max(4000).optional(),
    notAFailure: z.boolean().optional(),
  })
  .strict();
const listQuery = z.object({
  app: z.string().optional(),
  env: z.string().optional(),
  state: z.enum(['open', 'merged', 'rejected', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

const defined = <T extends Record<string, unknown>>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** set-image, promotions, approvals and rollbacks: every one ends as a commit, never a touch of a target. */
export function promotionRoutes(
  svc: PromotionService,
  project: () => string,
  loaded: () => Project | undefined = () => undefined,
): (app: FastifyInstance) => void {
  return (app) => {
    app.post('/api/v1/apps/:app/envs/:env/artifacts', async (req) => {
      const p = scopeParams.parse(req.params);
      const { artifacts, ...rest } = setImageBody.parse(req.body ?? {});
      return svc.setImage({
        ...p,
        ...defined(rest),
        actor: req.identity.name,
        artifacts: artifacts.map(parseArtifactArg),
      });
    });
    app.post('/api/v1/promotions', async (req) => {
      const { to, ...rest } = promoteBody.parse(req.body ?? {});
      return promote(svc, { ...defined(rest), actor: req.identity.name, env: to });
    });
    app.get('/api/v1/promotions', async (req) => {
      const q = listQuery.parse(req.query);
      knownNames(loaded(), q);
      const list = await svc.o.store.ledger.listPromotions({ project: project(), ...defined(q) });
      return Promise.all(list.map(async (p) => ({ ...p, approvals: await svc.o.store.ledger.listApprovals(p.id) })));
    });
    app.get('/api/v1/promotions/:id', async (req) => {
      const { id } = idParam.parse(req.params);
      const p = await svc.getPromotion(id);
      return { ...p, approvals: await svc.o.store.ledger.listApprovals(id) };
    });
    // The reviewer is the caller's identity; its email lets the commit author be recognised too.
    const reviewer = (req: FastifyRequest) => ({
      actor: req.identity.name,
      ...(req.identity.email ? { email: req.identity.email } : {}),
    });
    app.post('/api/v1/promotions/:id/approve', async (req) =>
      approve(svc, idParam.parse(req.params).id, { ...defined(reviewBody.parse(req.body ?? {})), ...reviewer(req) }),
    );
    app.post('/api/v1/promotions/:id/reject', async (req) =>
      reject(svc, idParam.parse(req.params).id, { ...defined(reviewBody.parse(req.body ?? {})), ...reviewer(req) }),
    );
    app.post('/api/v1/apps/:app/envs/:env/rollback', async (req) => {
      const p = scopeParams.parse(req.params);
      const { timeoutSeconds, ...rest } = rollbackBody.parse(req.body ?? {});
      return rollback(svc, {
        ...p,
        ...defined(rest),
        actor: req.identity.name,
        ...(timeoutSeconds ? { timeoutMs: timeoutSeconds * 1000 } : {}),
      });
    });
  };
}
