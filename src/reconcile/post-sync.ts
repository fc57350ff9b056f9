import type { Environment } from '../config/index.js';
import type { Resource } from '../model/resource.js';
import type { Provider, Scope } from '../providers/types.js';
import type { VerificationRecord } from '../store/ledger-types.js';
import type { Store, SyncRecord } from '../store/types.js';
import { appliedArtifacts } from './applied-artifacts.js';
import type { Verification } from './scope-machine.js';
import { verify } from './verify.js';

/** Called when verification after a sync failed; the promote part rolls back where the environment allows. */
export type VerificationFailedHook = (verification: VerificationRecord, env: Environment) => Promise<void>;

/** Records an event of a scope (in the store, where history and the dashboard read it). */
export type ScopeEventSink = (e: {
  scope: Scope;
  type: string;
  severity: 'info' | 'warning' | 'error';
  message: string;
  syncId?: number;
}) => Promise<void>;

export interface PostSyncDeps {
  store: Store;
  onEvent?: ScopeEventSink;
  onVerificationFailed?: VerificationFailedHook;
  signal?: AbortSignal;
}

/**
 * What a sync applied goes into the ledger in the transaction that records the sync as
 * succeeded: never a succeeded sync whose artifacts the ledger does not know (a promotion from
 * that environment would copy older ones).
 */
export async function recordApplied(
  store: Store,
  scope: Scope,
  revision: string,
  syncId: number,
  resources: readonly Resource[],
): Promise<void> {
  await store.ledger.recordApplied({
    syncId,
    project: scope.project,
    app: scope.app,
    env: scope.env,
    revision,
    artifacts: appliedArtifacts(resources),
  });
}

/** After a sync turned healthy: run the environment's verification checks and record their verdict either way. */
export async function afterSync(
  deps: PostSyncDeps,
  ctx: { env: Environment; provider: Provider; scope: Scope; revision: string },
  record: SyncRecord,
  resources: readonly Resource[],
): Promise<{ verification?: Verification; failure?: string }> {
  const { scope, env } = ctx;
  const artifacts = appliedArtifacts(resources);
  if (!env.verify?.length) return {};
  const startedAt = new Date().toISOString();
  const live = await ctx.provider.live(scope).catch(() => []);
  const outcome = await verify({
    env,
    app: scope.app,
    ...(await previousVersion(deps.store, scope, record.id, artifacts[0]?.tag)),
    revision: ctx.revision,
    artifacts,
    live,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  const v = await deps.store.ledger.recordVerification({
    syncId: record.id,
    project: scope.project,
    app: scope.app,
    env: scope.env,
    revision: ctx.revision,
    result: outcome.result,
    checks: outcome.checks,
    startedAt,
    finishedAt: new Date().toISOString(),
  });
  const failed = outcome.checks.filter((c) => !c.passed);
  const verification: Verification = { result: v.result, at: v.finishedAt, checks: v.checks };
  if (failed.length === 0) {
    await deps.onEvent?.({
      scope,
      type: 'verification.passed',
      severity: 'info',
      message: `verification passed: ${outcome.checks.length} check(s)`,
      syncId: record.id,
    });
    return { verification };
  }
  const message = `verification failed after sync of ${ctx.revision.slice(0, 7)}: ${failed.map((c) => c.message).join('; ')}`;
  await deps.onEvent?.({ scope, type: 'verification.failed', severity: 'error', message, syncId: record.id });
  await deps.onVerificationFailed?.(v, env);
  return { verification, failure: message };
}

/** The artifact tag that ran here before this sync's, for metric checks that compare the two. */
async function previousVersion(
  store: Store,
  scope: Scope,
  syncId: number,
  tag: string | undefined,
): Promise<{ previousVersion?: string }> {
  const applied = await store.ledger.listApplied({ project: scope.project, app: scope.app, env: scope.env, limit: 50 });
  const before = applied
    .filter((a) => a.syncId < syncId)
    .reverse()
    .find((a) => a.artifacts[0]?.tag !== undefined && a.artifacts[0].tag !== tag);
  return before ? { previousVersion: before.artifacts[0]!.tag! } : {};
}

/**
 * The rollout a sync applied never turned healthy. Where the environment rolls back
 * automatically, that is a failed verification like any other (check `health`): recorded,
 * told, and handed to rollback. Elsewhere the failed sync says it all, as before.
 */
export async function rolloutFailed(
  deps: PostSyncDeps,
  ctx: { env: Environment; scope: Scope; revision: string },
  record: SyncRecord,
  message: string,
): Promise<void> {
  const { scope, env } = ctx;
  if (!env.rollback?.auto) return;
  const at = new Date().toISOString();
  const v = await deps.store.ledger.recordVerification({
    syncId: record.id,
    project: scope.project,
    app: scope.app,
    env: scope.env,
    revision: ctx.revision,
    result: 'Failed',
    checks: [{ name: 'health', url: '', passed: false, message }],
    startedAt: record.startedAt,
    finishedAt: at,
  });
  await deps.onEvent?.({
    scope,
    type: 'verification.failed',
    severity: 'error',
    message: `verification failed after sync of ${ctx.revision.slice(0, 7)}: ${message}`,
    syncId: record.id,
  });
  await deps.onVerificationFailed?.(v, env);
}
