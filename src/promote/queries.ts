import type { Store } from '../store/types.js';
import { doraMetrics, type DoraReport } from './dora.js';
import { buildLedger, type LedgerEntry } from './ledger.js';
import { whatRan, type WhatRan } from './what-ran.js';

export interface Scope {
  project: string;
  app?: string;
  env?: string;
}

/** Reads every record of the scope and links them into ledger entries, oldest first. */
export async function loadLedger(store: Store, q: Scope): Promise<LedgerEntry[]> {
  const filter = { project: q.project, ...(q.app ? { app: q.app } : {}), ...(q.env ? { env: q.env } : {}) };
  const [changes, syncs, applied, verifications, promotions, holds] = await Promise.all([
    store.ledger.listChanges({ ...filter, limit: 5000 }),
    store.listSyncs({ ...filter, limit: 5000 }),
    store.ledger.listApplied({ ...filter, limit: 5000 }),
    store.ledger.listVerifications({ ...filter, limit: 5000 }),
    store.ledger.listPromotions({ ...filter, limit: 5000 }),
    store.holds.listHolds({ ...filter, active: false }),
  ]);
  const withApprovals = await Promise.all(
    promotions.map(async (p) => ({ ...p, approvals: await store.ledger.listApprovals(p.id) })),
  );
  return buildLedger({ changes, syncs, applied, verifications, promotions: withApprovals, holds });
}

export async function whatRanAt(store: Store, project: string, env: string, at: Date): Promise<WhatRan> {
  return whatRan(await loadLedger(store, { project, env }), env, at);
}

export async function dora(store: Store, q: Scope & { since: Date; until: Date }): Promise<DoraReport> {
  // Every environment is loaded: lead time starts where the artifacts first appeared.
  const entries = await loadLedger(store, { project: q.project, ...(q.app ? { app: q.app } : {}) });
  return doraMetrics(entries, { since: q.since, until: q.until }, q.env ?? null);
}
