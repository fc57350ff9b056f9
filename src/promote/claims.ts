import type { Project } from '../config/index.js';
import { signingPublicKey, type CommitInfo, type Source } from '../source/index.js';
import type { ChangeRecord } from '../store/ledger-types.js';
import type { Store } from '../store/types.js';
import { readChangeTrailers, type ChangeTrailers } from './trailers.js';

/** Whether a commit is what its trailers say, and on what grounds. */
export type ClaimVerdict =
  | { genuine: true; by: 'recorded-write' | 'merged-request' | 'sluice-signature'; existing?: ChangeRecord }
  | { genuine: false; reason: string };

/** Whether a commit carries Sluice's own signature; false when the project names no signing key. */
export async function signedBySluice(source: Source, project: Project, sha: string): Promise<boolean> {
  const sign = project.signing?.sign;
  return sign ? (await source.verifyCommit(sha, [await signingPublicKey(sign)])).trusted : false;
}

/**
 * The commit a promotion request landed as when this controller did not write it: the change
 * Sluice recorded for it (another controller sharing the store wrote it), the commit a
 * controller kept on the request before pushing it and was killed before recording, or a
 * commit naming the request that is either signed by Sluice or one the forge reports the
 * request merged as.
 * A commit that only names the request in its trailers is not its merge: while a hosted
 * request is open, nothing is.
 */
export async function landedAs(
  o: { source: Source; store: Store; project: Project; hostMerged: () => Promise<string[]> },
  p: { id: number; app: string; env: string; revision?: string },
  dir: string,
): Promise<string | undefined> {
  const recorded = (await o.store.ledger.listChanges({ project: o.project.name, app: p.app, env: p.env })).find(
    (c) => c.promotionId === p.id,
  );
  if (recorded) return recorded.revision;
  const naming = (await o.source.log({ max: 50, paths: [dir] })).filter(
    (c) => readChangeTrailers(c.trailers)?.promotionId === p.id,
  );
  if (!naming.length) return undefined;
  // Only a controller sharing this store can have put it there, and only just before pushing it.
  const kept = naming.find((c) => c.sha === p.revision);
  if (kept) return kept.sha;
  const reported = await o.hostMerged();
  for (const c of naming) {
    if (reported.includes(c.sha)) return c.sha;
    if (await signedBySluice(o.source, o.project, c.sha).catch(() => false)) return c.sha;
  }
  return undefined;
}

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
