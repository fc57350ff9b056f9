/**
 * The `promote` part: set-image, promotion requests with gates and approvals, rollback, and the
 * deployment ledger with DORA metrics built from it. Every change is a commit through the
 * source part; nothing here touches a target.
 *
 * ```ts
 * const svc = new PromotionService({ source, store, status: () => controller.status(), notify, requests });
 * await svc.setImage({ app: 'web', env: 'dev', actor: 'ci', artifacts: [parseArtifactArg('web=ghcr.io/acme/web:1.4@sha256:…')] });
 * const out = await promote(svc, { app: 'web', env: 'prod', actor: 'ci' });  // a request when prod has rules
 * await approve(svc, out.promotion!.id, { actor: 'alice' });                 // merged once every gate passes
 * await rollback(svc, { app: 'web', env: 'prod', actor: 'bob', wait: true });
 * const report = await dora(store, { project, env: 'prod', since, until: new Date() });
 * ```
 */
export { PromotionService, type PromotionServiceOptions, type ChangeContext, type ChangeOutcome } from './service.js';
export { promote, approve, reject, type Review } from './promote.js';
export { rollback, autoRollback, type RollbackRequest, type RollbackOutcome } from './rollback.js';
export { observeCommits } from './observer.js';
export { noticeLanding, isPromotion } from './landing.js';
export { tellVerificationFailed, tellUnapproved } from './notices.js';
export { holdFailedDigests, listHolds, liftHold } from './holds.js';
export { parseArtifactArg, formatArtifact, formatArtifacts } from './artifact-arg.js';
export { loadLedger, whatRanAt, dora } from './queries.js';
export { buildLedger, type LedgerEntry, type LedgerSync, type LedgerInput } from './ledger.js';
export { doraMetrics, type DoraReport, type DoraWindow } from './dora.js';
export { whatRan, type WhatRan } from './what-ran.js';
export { evaluateGates, needsRequest } from './gates.js';
export { editOverlay } from './overlay-edit.js';
export { unifiedDiff } from './diff.js';
export { PromotionError, DigestHeldError } from './errors.js';
export {
  localRequests,
  type RequestBackend,
  type Notify,
  type NotificationEvent,
  type NotificationType,
  type ExternalReview,
} from './types.js';
export { notifyingStore } from './notifying-store.js';
export { HostedRequests, type HostedRequestsOptions } from './hosted-requests.js';
export {
  pendingRequestsOf,
  pollRequests,
  type PendingRequests,
  type RequestPoller,
  type RequestPollerOptions,
} from './request-poller.js';
export { settleHostedRequest } from './request-events.js';
export { resolveHosting, selfHostedBase, type HostedTarget } from './hosting.js';
export { setImageInRepo, type StandaloneOptions, type StandaloneOutcome } from './standalone.js';
