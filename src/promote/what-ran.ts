import type { ArtifactRecord } from '../store/ledger-types.js';
import type { LedgerEntry } from './ledger.js';

export interface WhatRan {
  env: string;
  at: string;
  apps: {
    app: string;
    revision: string;
    syncId: number;
    syncedAt: string;
    artifacts: ArtifactRecord[];
    change?: { revision: string; action: string; subject: string; author: string; promotionId?: number };
  }[];
}

/**
 * What an environment ran at a moment: for each app, the last sync that finished successfully
 * by then, with the artifacts it applied and the change it belonged to.
 */
export function whatRan(entries: readonly LedgerEntry[], env: string, at: Date): WhatRan {
  const best = new Map<string, { entry: LedgerEntry; sync: LedgerEntry['syncs'][number] }>();
  for (const entry of entries) {
    if (entry.change.env !== env) continue;
    for (const sync of entry.syncs) {
      if (sync.result !== 'Succeeded' || !sync.finishedAt || Date.parse(sync.finishedAt) > at.getTime()) continue;
      const cur = best.get(entry.change.app);
      if (!cur || sync.id > cur.sync.id) best.set(entry.change.app, { entry, sync });
    }
  }
  return {
    env,
    at: at.toISOString(),
    apps: [...best.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([app, { entry, sync }]) => {
        const c = entry.change;
        return {
          app,
          revision: sync.revision,
          syncId: sync.id,
          syncedAt: sync.finishedAt!,
          artifacts: sync.artifacts ?? c.artifacts,
          change: {
            revision: c.revision,
            action: c.action,
            subject: c.subject,
            author: c.author,
            ...(c.promotionId !== undefined ? { promotionId: c.promotionId } : {}),
          },
        };
      }),
  };
}
