import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { liftHold, listHolds, type PromotionService } from '../../promote/index.js';

const listQuery = z.object({
  env: z.string().min(1).optional(),
  app: z.string().min(1).optional(),
  all: z.enum(['true', 'false']).optional(),
});
const liftBody = z
  .object({
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex digits>'),
    env: z.string().min(1),
    reason: z.string().min(1).max(4000),
  })
  .strict();

/** Digests held in an environment after a failed verification: list them, and lift a hold (approvers and admins). */
export function holdRoutes(svc: PromotionService): (app: FastifyInstance) => void {
  return (app) => {
    app.get('/api/v1/holds', async (req) => {
      const q = listQuery.parse(req.query);
      return listHolds(svc, {
        ...(q.env ? { env: q.env } : {}),
        ...(q.app ? { app: q.app } : {}),
        all: q.all === 'true',
      });
    });
    app.post('/api/v1/holds/lift', async (req) => {
      const body = liftBody.parse(req.body ?? {});
      // Who lifts it is who the credential says, never what the body claims.
      return liftHold(svc, { ...body, actor: req.identity.name });
    });
  };
}
