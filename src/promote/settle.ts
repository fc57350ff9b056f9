import type { ApprovalRecord, GateResult, PromotionRecord } from '../store/ledger-types.js';
import { StoreConflictError } from '../store/errors.js';
import type { Store } from '../store/types.js';
import { landedAs } from './claims.js';
import { allPassed, evaluateGates } from './gates.js';
import { heldAmong, heldGate } from './hold-check.js';
import { metricGates } from './metric-gates.js';
import { artifactChange, overlayDir } from './overlay-changes.js';
import { projectAt, renderCheck, scopeOf, type ProjectView } from './project-at.js';
import { describeProposal, optionalContext, type Proposal } from './proposal.js';
import type { PromotionService } from './service.js';
import { readChangeTrailers } from './trailers.js';
import type { ExternalReview } from './types.js';

/** Re-evaluates a request's gates and merges it when all pass; what another controller decided first stands. */
export async function settleRequest(svc: PromotionService, id: number): Promise<PromotionRecord> {
  const first = await svc.getPromotion(id);
  const settled = svc.locks.run(first.env, async () => {
    const p = await svc.getPromotion(id);
    if (p.state !== 'open') return p;
    const view = await projectAt(svc.o.source, (await svc.o.source.fetch()).revision);
    const { app, env } = scopeOf(view.project, p.app, p.env);
    const stored = await svc.o.store.ledger.listApprovals(p.id);
    const external = await svc.requests.reviews(p);
    // Merged on the host: the forge reports the request merged as a commit now on the followed
    // branch, so what happened has happened, whatever Sluice's gates say.
    const landed = p.external ? await landedCommit(svc, p, view, overlayDir(app, env.name)) : undefined;
    if (landed) {
      return svc.o.store.transaction(async (tx) => {
        await keepReviews(tx, p.id, stored, external);
        return tx.ledger.updatePromotion(
          p.id,
          { state: 'merged', revision: landed, message: `merged on ${p.external!.backend}` },
          { state: 'open' },
        );
      });
    }
    const reviews = [...stored, ...external];
    const change = artifactChange(view.fs, app, env.name, p.artifacts);
    const renderError = change.changes.length
      ? await renderCheck(view, change.changes, app, env, {
          openTree: svc.o.openTree,
        })
      : undefined;
    const source = p.fromEnv
      ? await svc.sourceState(view.project.name, p.app, p.fromEnv).catch(() => undefined)
      : undefined;
    const gates = evaluateGates({
      env,
      kind: p.kind,
      author: p.author,
      approvals: reviews,
      ...(source ? { source } : {}),
      ...(renderError ? { renderError } : {}),
      policyChecked: true,
      now: svc.now(),
    });
    gates.push(...(await metricGates(svc.o.store, env, p)));
    // A request opened before its digest was held waits for the hold to be lifted.
    gates.push(...heldGate(await heldAmong(svc.o.store, p.project, p.env, p.artifacts)));
    const rejected = reviews.find((r) => r.decision === 'reject');
    if (rejected) {
      return finish(
        svc,
        p,
        'rejected',
        gates,
        `rejected by ${rejected.actor}${rejected.comment ? `: ${rejected.comment}` : ''}`,
        (tx) => keepReviews(tx, p.id, stored, external),
      );
    }
    if (!allPassed(gates)) return svc.o.store.ledger.updatePromotion(p.id, { gates }, { state: 'open' });
    const approvedBy = [...new Set(reviews.filter((r) => r.decision === 'approve').map((r) => r.actor))];
    const proposal: Proposal = {
      app: p.app,
      env: p.env,
      actor: p.author,
      kind: p.kind,
      artifacts: p.artifacts,
      ...optionalContext(p),
      ...(p.fromEnv ? { fromEnv: p.fromEnv } : {}),
    };
    const written = await svc.write(
      proposal,
      { action: p.kind, promotionId: p.id, approvedBy, subject: `${describeProposal(proposal)} (#${p.id})` },
      {},
      // Kept on the request before the push: see `landedAs`.
      async (revision) => {
        await svc.o.store.ledger.updatePromotion(p.id, { revision }, { state: 'open' });
      },
    );
    if (!written) {
      // Another controller sharing the store merged it a moment ago, or was killed doing so:
      // its commit says so.
      const mergedElsewhere = await landedCommit(svc, p, view, overlayDir(app, env.name));
      if (mergedElsewhere) {
        await recordLanded(svc, view.project.name, mergedElsewhere, gates);
        return svc.o.store.transaction(async (tx) => {
          await keepReviews(tx, p.id, stored, external);
          return tx.ledger.updatePromotion(
            p.id,
            { state: 'merged', revision: mergedElsewhere, gates },
            { state: 'open' },
          );
        });
      }
      return finish(svc, p, 'failed', gates, `${p.env} already runs these artifacts; nothing to merge`);
    }
    const merged = await svc.o.store.transaction(async (tx) => {
      await keepReviews(tx, p.id, stored, external);
      return tx.ledger.updatePromotion(p.id, { state: 'merged', revision: written.revision, gates }, { state: 'open' });
    });
    await svc.requests.close(merged, 'merged', written.revision);
    return merged;
  });
  // Another controller sharing the store moved the request first: what it decided stands.
  return settled.catch(async (e: unknown) => {
    if (e instanceof StoreConflictError) return svc.getPromotion(id);
    throw e;
  });
}

/**
 * Reviews read from a hosted request can still change while it is open, so they are stored
 * only once they decided it: the ledger then says who approved or rejected, and when.
 */
async function keepReviews(
  tx: Store,
  promotionId: number,
  stored: readonly ApprovalRecord[],
  external: readonly ExternalReview[],
): Promise<void> {
  for (const r of external) {
    if (stored.some((s) => s.actor === r.actor && s.decision === r.decision)) continue;
    await tx.ledger.addApproval({ promotionId, ...r });
  }
}

/**
 * Records the merge commit of a request another controller pushed but was killed before
 * recording, as that controller would have: once, with its trailers and its event.
 */
async function recordLanded(
  svc: PromotionService,
  project: string,
  revision: string,
  gates: GateResult[],
): Promise<void> {
  const commit = await svc.o.source.commitInfo(revision);
  const t = readChangeTrailers(commit.trailers);
  if (!t) return;
  const recorded = await svc.o.store.ledger.listChanges({ project, app: t.app, env: t.env });
  if (recorded.some((c) => c.revision === revision)) return;
  await svc.recordWritten(project, revision, commit.subject, t, gates);
}

/** The commit on the followed branch this request landed as, if another hand than this controller's merged it. */
function landedCommit(
  svc: PromotionService,
  p: PromotionRecord,
  view: ProjectView,
  dir: string,
): Promise<string | undefined> {
  return landedAs(
    {
      source: svc.o.source,
      store: svc.o.store,
      project: view.project,
      hostMerged: async () => (p.external ? ((await svc.requests.mergedAs?.(p)) ?? []) : []),
    },
    p,
    dir,
  );
}

async function finish(
  svc: PromotionService,
  p: PromotionRecord,
  state: 'rejected' | 'failed',
  gates: GateResult[],
  message: string,
  /** Writes that belong with the verdict (the reviews that decided it). */
  alongside?: (tx: Store) => Promise<void>,
): Promise<PromotionRecord> {
  const done = await svc.o.store.transaction(async (tx) => {
    await alongside?.(tx);
    return tx.ledger.updatePromotion(p.id, { state, gates, message }, { state: 'open' });
  });
  await svc.requests.close(done, state);
  await svc.event(done, `promotion.${state}`, 'warning', `#${p.id} ${message}`);
  if (state === 'rejected') {
    const reviewer = (await svc.o.store.ledger.listApprovals(p.id)).find((a) => a.decision === 'reject');
    await svc.tell({
      type: 'promotion.rejected',
      project: p.project,
      app: p.app,
      env: p.env,
      message: `#${p.id} ${describeProposal(p)}: ${message}`,
      promotionId: p.id,
      artifacts: p.artifacts,
      ...(reviewer ? { actor: reviewer.actor } : {}),
      ...(p.fromEnv ? { fromEnv: p.fromEnv } : {}),
      ...(p.external?.url ? { requestUrl: p.external.url } : {}),
      details: { author: p.author, ...(reviewer?.comment ? { comment: reviewer.comment } : {}) },
    });
  }
  return done;
}
