import type { AppEnvStatus } from '../reconcile/index.js';
import type { ArtifactRecord } from '../store/ledger-types.js';
import type { Store, SyncRecord } from '../store/types.js';
import { PromotionError } from './errors.js';
import type { SourceState } from './gates.js';

export interface Promotable {
  artifacts: ArtifactRecord[];
  sync: SyncRecord;
  state: SourceState;
}

/**
 * What may be promoted out of an environment: the artifacts its last successful sync applied
 * (from the ledger, never the overlay as it is now), and whether it is healthy at the moment.
 */
export async function promotable(
  store: Store,
  q: { project: string; app: string; env: string },
  status?: AppEnvStatus,
): Promise<Promotable> {
  const syncs = await store.listSyncs({ project: q.project, app: q.app, env: q.env, limit: 200 });
  const applied = new Map((await store.ledger.listApplied({ ...q, limit: 200 })).map((a) => [a.syncId, a.artifacts]));
  const sync = syncs.find((s) => !s.dryRun && s.result === 'Succeeded' && applied.has(s.id));
  if (!sync) {
    throw new PromotionError('PROMOTE_NOTHING_SYNCED', `${q.app} has no successful sync in ${q.env} to promote from`, {
      hint: `Wait until ${q.env} synced (\`sluice status\`), or set the artifacts with \`sluice set-image ${q.app} --env <env>\`.`,
    });
  }
  const artifacts = applied.get(sync.id)!;
  if (artifacts.length === 0) {
    throw new PromotionError(
      'PROMOTE_NOTHING_SYNCED',
      `the last sync of ${q.app} in ${q.env} ran no artifact (no image, no Process artifact)`,
      {
        hint: 'Pin an artifact first: `sluice set-image` writes images by digest and Process artifacts by sha256.',
      },
    );
  }
  return { artifacts, sync, state: healthOf(q.env, sync, syncs[0], status) };
}

function healthOf(env: string, good: SyncRecord, newest: SyncRecord | undefined, status?: AppEnvStatus): SourceState {
  const base = { env, ...(good.finishedAt ? { syncedAt: good.finishedAt } : {}) };
  if (newest && newest.id !== good.id && newest.result === 'Failed' && !newest.dryRun) {
    return {
      ...base,
      healthy: false,
      reason: `its newest sync (#${newest.id}) failed: ${newest.error?.message ?? 'unknown error'}`,
    };
  }
  if (!status)
    return {
      ...base,
      healthy: good.health === 'Healthy',
      reason: `last sync ended ${good.health ?? 'without health'}`,
    };
  if (status.verification?.result === 'Failed')
    return { ...base, healthy: false, reason: 'its last verification failed' };
  if (status.sync !== 'Synced' || status.health !== 'Healthy')
    return { ...base, healthy: false, reason: `${status.sync}, ${status.health}` };
  return { ...base, healthy: true };
}
