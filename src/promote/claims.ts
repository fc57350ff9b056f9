import type { CommitInfo } from '../source/index.js';
import type { ChangeRecord } from '../store/ledger-types.js';
import type { Store } from '../store/types.js';
import type { ChangeTrailers } from './trailers.js';

/** Whether a commit is what its trailers say, and on what grounds. */
export type ClaimVerdict =
  | { genuine: true; by: 'recorded-write' | 'merged-request' | 'sluice-signature'; existing?: ChangeRecord }
  | { genuine: false; reason: string };

const who = (s: { name: string; email: string }) => `${s.name} <${s.email}>`;

/**
 * Trailers are text anyone can write. A commit counts as a Sluice promotion, rollback or
 * set-image only when Sluice recorded it as it wrote it (the ledger holds the change before
 * the observer sees the commit), when it carries Sluice's own signature (`signedBySluice`:
 * only Sluice holds that key, so this holds after a restart on a new data directory too), or
 * when it is the revision a promotion request of this app and environment merged as.
 * Anything else is somebody's commit, whatever it says.
 */
export async function judgeClaim(
  store: Store,
  project: string,
  scope: { app: string; env: string },
  commit: CommitInfo,
  claim: ChangeTrailers | undefined,
  signedBySluice: () => Promise<boolean> = async () => false,
): Promise<ClaimVerdict> {
  const existing = (await store.ledger.listChanges({ project, app: scope.app, env: scope.env })).find(
    (c) => c.revision === commit.sha,
  );
  if (existing) return { genuine: true, by: 'recorded-write', existing };
  if (claim && (await signedBySluice().catch(() => false))) return { genuine: true, by: 'sluice-signature' };
  if (claim?.promotionId !== undefined) {
    const p = await store.ledger.getPromotion(claim.promotionId);
    if (p && p.app === scope.app && p.env === scope.env && p.state === 'merged' && p.revision === commit.sha)
      return { genuine: true, by: 'merged-request' };
    const why = !p
      ? `names promotion request #${claim.promotionId}, which does not exist`
      : p.app !== scope.app || p.env !== scope.env
        ? `names promotion request #${p.id}, which is for ${p.app} in ${p.env}`
        : p.revision
          ? `names promotion request #${p.id}, which merged as ${p.revision.slice(0, 12)}`
          : `names promotion request #${p.id}, which is ${p.state} and has not merged`;
    return { genuine: false, reason: why };
  }
  if (claim) return { genuine: false, reason: `says it is a Sluice ${claim.action}, but Sluice did not write it` };
  return { genuine: false, reason: 'is not a Sluice change' };
}

/** The flag of an unapproved change: who really wrote and committed it, and why it does not count. */
export function unapprovedFlag(env: string, commit: CommitInfo, reason: string): string {
  return `changes protected environment ${env} without an approved promotion request: the commit ${reason}; author ${who(commit.author)}, committer ${who(commit.committer)}`;
}
