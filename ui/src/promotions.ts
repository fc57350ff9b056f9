import type { PromotionRecord } from './api/types.ts';

/** Open and held back by its approvals gate (not only by a soak or a policy still failing). */
export function awaitsApproval(p: Pick<PromotionRecord, 'state' | 'gates'>): boolean {
  return p.state === 'open' && p.gates.some((g) => g.gate === 'approvals' && !g.passed);
}
