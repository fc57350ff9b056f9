import type { ApprovalRecord, PromotionRecord } from '../store/ledger-types.js';
import { PromotionError } from './errors.js';
import { projectAt, scopeOf } from './project-at.js';
import { provenanceFor } from './provenance.js';
import type { ChangeContext } from './proposal.js';
import type { ChangeOutcome, PromotionService } from './service.js';
import { promotable } from './source-state.js';
import { settleRequest } from './settle.js';

/**
 * Promotes what is synced and healthy in the source environment (`--from`, else the target's
 * `promotion.from`) into the target's overlay: one commit, or a request where the target has rules.
 */
export async function promote(svc: PromotionService, ctx: ChangeContext & { from?: string }): Promise<ChangeOutcome> {
  const view = await projectAt(svc.o.source, (await svc.o.source.fetch()).revision);
  const { env } = scopeOf(view.project, ctx.app, ctx.env);
  const from = ctx.from ?? env.promotion?.from;
  if (!from) {
    throw new PromotionError('PROMOTE_NO_ROUTE', `environment ${env.name} names no environment to promote from`, {
      hint: `Pass --from <env>, or set promotion.from for ${env.name} in sluice.yaml.`,
    });
  }
  scopeOf(view.project, ctx.app, from);
  const source = await promotable(
    svc.o.store,
    { project: view.project.name, app: ctx.app, env: from },
    svc.statusOf(ctx.app, from),
  );
  // Each artifact keeps the provenance of the build that made it; what else is running in the
  // source environment, or was set there later, says nothing about it.
  const artifacts = source.artifacts.map(({ resource: _r, ...a }) => a);
  const origin = provenanceFor(
    await svc.o.store.ledger.listChanges({ project: view.project.name, app: ctx.app }),
    artifacts,
  );
  const sourceCommit = ctx.sourceCommit ?? origin.sourceCommit;
  const sourceTime = ctx.sourceTime ?? origin.sourceTime;
  const ciRun = ctx.ciRun ?? origin.ciRun;
  return svc.propose({
    ...ctx,
    kind: 'promote',
    fromEnv: from,
    artifacts,
    source: source.state,
    ...(sourceCommit ? { sourceCommit } : {}),
    ...(sourceTime ? { sourceTime } : {}),
    ...(ciRun ? { ciRun } : {}),
  });
}

export interface Review {
  actor: string;
  /** The reviewer's email, when the credential carries one. */
  email?: string;
  comment?: string;
  dryRun?: boolean;
}

/** Records an approval and merges the request if every gate passes now. */
export async function approve(
  svc: PromotionService,
  id: number,
  review: Review,
): Promise<PromotionRecord & { approvals: ApprovalRecord[] }> {
  const p = await openRequest(svc, id);
  const protectedEnv = await isProtected(svc, p);
  if (protectedEnv && review.actor === p.author) {
    throw new PromotionError(
      'PROMOTE_SELF_APPROVAL',
      `${review.actor} opened #${id} and cannot approve it: ${p.env} is protected`,
      { hint: 'Ask someone else, signed in with their own credential, to approve.' },
    );
  }
  if (protectedEnv && review.email) {
    const commitEmail = await commitAuthorEmail(svc, p.sourceCommit);
    if (commitEmail && commitEmail.toLowerCase() === review.email.toLowerCase()) {
      throw new PromotionError(
        'PROMOTE_SELF_APPROVAL',
        `${review.actor} wrote commit ${p.sourceCommit!.slice(0, 12)} that #${id} ships and cannot approve it: ${p.env} is protected`,
        { hint: 'Ask someone else, signed in with their own credential, to approve.' },
      );
    }
  }
  const given = await svc.o.store.ledger.listApprovals(id);
  if (review.dryRun) return { ...p, approvals: given };
  // One approval per identity: approving again changes nothing, but the gates are looked at again.
  if (given.some((a) => a.actor === review.actor && a.decision === 'approve')) {
    const settled = await settleRequest(svc, id);
    return { ...settled, approvals: await svc.o.store.ledger.listApprovals(id) };
  }
  await svc.o.store.ledger.addApproval({
    promotionId: id,
    actor: review.actor,
    decision: 'approve',
    at: svc.now().toISOString(),
    ...(review.comment ? { comment: review.comment } : {}),
  });
  await svc.event(
    p,
    'promotion.approved',
    'info',
    `#${id} approved by ${review.actor}${review.comment ? `: ${review.comment}` : ''}`,
  );
  const settled = await settleRequest(svc, id);
  return { ...settled, approvals: await svc.o.store.ledger.listApprovals(id) };
}

/** Records a rejection; the request is closed and nothing is committed. */
export async function reject(
  svc: PromotionService,
  id: number,
  review: Review,
): Promise<PromotionRecord & { approvals: ApprovalRecord[] }> {
  const p = await openRequest(svc, id);
  if (review.dryRun) return { ...p, approvals: await svc.o.store.ledger.listApprovals(id) };
  await svc.o.store.ledger.addApproval({
    promotionId: id,
    actor: review.actor,
    decision: 'reject',
    at: svc.now().toISOString(),
    ...(review.comment ? { comment: review.comment } : {}),
  });
  const settled = await settleRequest(svc, id);
  return { ...settled, approvals: await svc.o.store.ledger.listApprovals(id) };
}

async function openRequest(svc: PromotionService, id: number): Promise<PromotionRecord> {
  const p = await svc.getPromotion(id);
  if (p.state !== 'open') {
    throw new PromotionError(
      'PROMOTE_NOT_OPEN',
      `promotion #${id} is ${p.state}${p.message ? ` (${p.message})` : ''}`,
      {
        hint: 'Only open requests take approvals; open a new one with `sluice promote` or `sluice set-image`.',
      },
    );
  }
  return p;
}

/** The author email of the commit a request ships, when that commit is in the config repo. */
async function commitAuthorEmail(svc: PromotionService, revision: string | undefined): Promise<string | undefined> {
  if (!revision) return undefined;
  try {
    return (await svc.o.source.commitInfo(revision)).author.email;
  } catch {
    return undefined; // built from another repository: its author is not known here
  }
}

async function isProtected(svc: PromotionService, p: PromotionRecord): Promise<boolean> {
  const view = await projectAt(svc.o.source, (await svc.o.source.fetch()).revision);
  return scopeOf(view.project, p.app, p.env).env.protected;
}
