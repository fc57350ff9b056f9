import type { PromotionService } from './service.js';
import { settleRequest } from './settle.js';

/**
 * A review event from the forge (a webhook) for a hosted request: the open promotion request
 * it belongs to is settled now rather than at the next poll. False when no open request is it.
 */
export async function settleHostedRequest(svc: PromotionService, backend: string, requestId: string): Promise<boolean> {
  const open = await svc.o.store.ledger.listPromotions({ state: 'open' });
  const p = open.find((r) => r.external?.backend === backend && r.external.id === requestId);
  if (!p) return false;
  await settleRequest(svc, p.id);
  return true;
}
