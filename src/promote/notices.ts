import type { ChangeRecord, VerificationRecord } from '../store/ledger-types.js';
import type { PromotionService } from './service.js';

/**
 * A verification failed after a sync: told with the revision, the sync, the artifacts that sync
 * applied and the checks that failed. One per verification (a sync is verified once).
 */
export async function tellVerificationFailed(svc: PromotionService, v: VerificationRecord): Promise<void> {
  const applied = await svc.o.store.ledger.listApplied({ project: v.project, app: v.app, env: v.env });
  const artifacts = applied.find((a) => a.syncId === v.syncId)?.artifacts ?? [];
  const failed = v.checks.filter((c) => !c.passed);
  await svc.tell({
    type: 'verification.failed',
    project: v.project,
    app: v.app,
    env: v.env,
    message: `verification failed after sync of ${v.revision.slice(0, 7)}: ${failed.map((c) => c.message).join('; ')}`,
    revision: v.revision,
    artifacts,
    actor: 'sluice',
    syncId: v.syncId,
    verificationId: v.id,
    details: { failedChecks: failed.map((c) => ({ name: c.name, message: c.message })) },
  });
}

/**
 * A change reached an environment without the approval its rules ask for (a direct commit to a
 * protected overlay): told with the commit, its author and what it set. `reason` says which
 * rule it bypassed.
 */
export async function tellUnapproved(svc: PromotionService, change: ChangeRecord, reason: string): Promise<void> {
  await svc.tell({
    type: 'change.unapproved',
    project: change.project,
    app: change.app,
    env: change.env,
    message: `${change.revision.slice(0, 7)} by ${change.author} ${reason}: ${change.subject}`,
    revision: change.revision,
    artifacts: change.artifacts,
    actor: change.author,
    ...(change.promotionId !== undefined ? { promotionId: change.promotionId } : {}),
    details: { reason, changeId: change.id },
  });
}
