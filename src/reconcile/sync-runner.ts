import type { Environment, Project } from '../config/index.js';
import { ProviderError, isSluiceError, isTransient } from '../errors/index.js';
import type { Resource } from '../model/resource.js';
import { isChanging, type Plan, type ResourceHealth } from '../plan/types.js';
import type { DeclaredElsewhere, Provider, ProviderLog, Scope } from '../providers/types.js';
import { LeaseLostError } from '../store/errors.js';
import type { Fence } from '../store/lease-types.js';
import type { NewSync, Store, SyncRecord } from '../store/types.js';
import { attribute } from './attribute.js';
import type { CommitCheck } from './commit-check.js';
import { withDeadline } from './deadline.js';
import type { DesiredState, DesiredStates } from '../desired/index.js';
import { describeUnhealthy, waitForHealth } from './health-wait.js';
import type { Job } from './job.js';
import {
  afterSync,
  recordApplied,
  rolloutFailed,
  type ScopeEventSink,
  type VerificationFailedHook,
} from './post-sync.js';
import type { ScopeEvent } from './scope-machine.js';
import { toStatusError } from './state.js';
import type { StatusError } from './status.js';
import type { ScopeRef } from './targets.js';

export interface RunnerDeps {
  store: Store;
  log: ProviderLog;
  /** Scrubs secret values from messages before they are stored or shown. */
  mask?: (text: string) => string;
  onSyncFinished?: (record: SyncRecord) => void;
  onEvent?: ScopeEventSink;
  /** Aborted when the controller stops: a roll in progress ends cleanly instead of blocking shutdown. */
  signal?: AbortSignal;
  /** Verification failed after a sync (auto rollback lives in the promote part). */
  onVerificationFailed?: VerificationFailedHook;
  /** Refuses a revision the environment may not apply (an unsigned or untrusted commit). */
  checkCommit?: CommitCheck;
}

export interface RunContext {
  project: Project;
  /** The revision's desired states (render, validation, cross-app checks, policy). */
  desired: DesiredStates;
  revision: string;
  ref: ScopeRef;
  provider: Provider;
  scope: Scope;
  /** The scope is failed or stalled: an empty plan must still prove health before it counts as synced. */
  recovering: boolean;
  /** Aborted when a newer revision of this scope arrives: the health wait ends as superseded. */
  supersede: AbortSignal;
  /** Everything that changes the scope's status goes through here, to its state machine. */
  report: (event: ScopeEvent) => void;
  /** The newest plan and the desired state it was made from, for status and drift checks. */
  onPlan: (plan: Plan, desired?: readonly Resource[]) => void;
  /** The revision the scope last applied successfully. */
  trustedRevision?: string;
  /**
   * The scope's lease, when several controllers share the store: every result is written
   * under the fence the job started with, and the lease is renewed right before an apply.
   */
  lease?: { fence(): Fence | undefined; confirm(): Promise<Fence | undefined> };
}

/** How a scope plans and applies: pruning, and what other scopes on its target still declare. */
export async function planOptions(
  project: Project,
  desired: DesiredStates,
  ref: ScopeRef,
): Promise<{ prune: boolean; declaredElsewhere?: DeclaredElsewhere }> {
  const target = project.targets.get(ref.env.target);
  if (!ref.env.prune || !target) return { prune: ref.env.prune };
  return { prune: true, declaredElsewhere: await desired.declaredElsewhere(target, ref.app.name, ref.env.name) };
}

/**
 * Carries one job through render → policy → plan and, when the environment's rules allow,
 * apply → wait for health → record. Render and policy failures apply nothing. The runner
 * decides nothing about status: it reports what happened and the scope's machine does the rest.
 */
export async function runJob(deps: RunnerDeps, ctx: RunContext, job: Job): Promise<SyncRecord | undefined> {
  const fence = ctx.lease?.fence();
  try {
    return await runFenced(deps, ctx, job, fence);
  } catch (e) {
    if (!(e instanceof LeaseLostError)) throw e;
    // Another controller holds the scope now: it syncs it; this one stops and says so.
    await deps.onEvent?.({
      scope: ctx.scope,
      type: 'sync.lease-lost',
      severity: 'warning',
      message: `sync of ${short(ctx.revision)} stopped: ${e.message}`,
    });
    deps.log.warn({ scope: ctx.scope, err: e.message }, 'lease lost; the sync stops');
    if (!job.dryRun) ctx.report({ type: 'sync-finished', outcome: { kind: 'aborted' } });
    return undefined;
  }
}

async function runFenced(
  deps: RunnerDeps,
  ctx: RunContext,
  job: Job,
  fence: Fence | undefined,
): Promise<SyncRecord | undefined> {
  const { ref, revision, provider, scope, report } = ctx;
  const env = ref.env;
  const timings: Record<string, number> = {};
  const timed = async <T>(phase: string, fn: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[phase] = Math.round(performance.now() - t0);
    }
  };

  let desired: DesiredState;
  let plan: Plan;
  let pruning: Awaited<ReturnType<typeof planOptions>>;
  try {
    if (deps.checkCommit)
      await timed('verify-commit', () =>
        deps.checkCommit!({
          revision,
          env,
          project: ctx.project,
          ...(ctx.trustedRevision ? { trustedRevision: ctx.trustedRevision } : {}),
        }),
      );
    desired = await timed('render', () => ctx.desired.of(ref.app, env));
    pruning = await planOptions(ctx.project, ctx.desired, ref);
    const rendered = desired.rendered;
    plan = await timed('plan', () =>
      provider.plan(scope, desired.resources, pruning).catch((e: unknown) => {
        throw attribute(e, rendered);
      }),
    );
  } catch (e) {
    // Nothing was applied: record the failure where people look (status, history, events).
    return recordFailure(deps, ctx, job, e, timings, fence);
  }
  ctx.onPlan(plan, desired.resources);

  const mayApply = job.force || (env.sync === 'auto' && (job.trigger !== 'drift' || env.selfHeal));
  if (!job.dryRun && !job.force && !isChanging(plan)) {
    if (!ctx.recovering) {
      report({ type: 'sync-finished', outcome: { kind: 'in-sync', revision } });
      return undefined;
    }
    // Nothing to change, but the scope failed before: it is synced only once it is healthy,
    // and that is recorded, so history does not keep a failure as the last word.
    return waitAndRecord(deps, ctx, job, plan, desired, pruning, timings, 'recovered', fence);
  }
  if (!job.dryRun && !mayApply) {
    const reason =
      env.sync === 'manual' ? `revision ${short(revision)} waits for a manual sync` : `drift: ${describeChanges(plan)}`;
    report({ type: 'sync-finished', outcome: { kind: 'out-of-sync', revision, reason } });
    return undefined;
  }

  if (job.dryRun) {
    const record = await deps.store.startSync(newSync(scope, revision, job));
    const done = await deps.store.finishSync(record.id, { result: 'Succeeded', plan: plan.summary, timings }, fence);
    deps.onSyncFinished?.(done);
    return done;
  }
  return waitAndRecord(deps, ctx, job, plan, desired, pruning, timings, 'apply', fence);
}

async function waitAndRecord(
  deps: RunnerDeps,
  ctx: RunContext,
  job: Job,
  plan: Plan,
  desired: DesiredState,
  pruning: Awaited<ReturnType<typeof planOptions>>,
  timings: Record<string, number>,
  mode: 'apply' | 'recovered',
  fence: Fence | undefined,
): Promise<SyncRecord> {
  const { ref, revision, provider, scope, report } = ctx;
  const env = ref.env;
  const timed = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[phase] = Math.round(performance.now() - t0);
    }
  };
  // The lease is checked (and renewed) right before anything is applied: a controller that lost
  // it stops here, and one whose token changed since the job began stops too.
  if (mode === 'apply' && ctx.lease) {
    const now = await ctx.lease.confirm();
    if (fence && now?.token !== fence.token)
      throw new LeaseLostError(
        'LEASE_LOST',
        `the lease on ${scope.app}/${scope.env} changed hands while the sync planned`,
      );
  }
  const record = await deps.store.startSync(newSync(scope, revision, job));
  report({ type: 'apply-started', revision, reason: job.reason });
  await deps.onEvent?.({
    scope,
    type: 'sync.started',
    severity: 'info',
    message: `sync of ${short(revision)} started: ${job.reason}`,
    syncId: record.id,
  });
  let applied = plan;
  try {
    if (mode === 'apply') {
      // A rolling update waits for each replica, so the deadline grows with the health timeout.
      const deadline = 2 * env.healthTimeoutMs + 60_000;
      // At the deadline the apply is told to stop too, so a provider that serialises a scope's
      // applies frees the next one instead of queueing it behind a call that never returns.
      const cut = new AbortController();
      const signal = deps.signal ? AbortSignal.any([deps.signal, cut.signal]) : cut.signal;
      applied = await timed('apply', () =>
        withDeadline(
          provider.apply(scope, desired.resources, {
            ...pruning,
            force: env.force,
            revision,
            reason: job.reason,
            signal,
            onProgress: (m) => deps.log.info({ scope, progress: m }, m),
          }),
          deadline,
          `${provider.kind} target (apply)`,
          (e) => cut.abort(e),
        ),
      );
      ctx.onPlan(applied);
    }
    const signal = deps.signal ? AbortSignal.any([deps.signal, ctx.supersede]) : ctx.supersede;
    // Status shows the rollout as it goes (Progressing, Degraded), not the health from before the sync.
    let shown = '';
    const onProgress = (resources: ResourceHealth[]) => {
      const now = JSON.stringify(resources);
      if (now === shown) return;
      shown = now;
      report({ type: 'rollout', resources });
    };
    const health = await timed('health', () =>
      waitForHealth(() => provider.health(scope), { timeoutMs: env.healthTimeoutMs, signal, onProgress }),
    );
    if (ctx.supersede.aborted) {
      const by = String(ctx.supersede.reason ?? 'a newer revision');
      const done = await deps.store.finishSync(
        record.id,
        {
          result: 'Superseded',
          plan: applied.summary,
          health: health.status,
          error: {
            code: 'SUPERSEDED',
            message: `superseded by ${short(by)} before it turned healthy: ${describeUnhealthy(health.resources) || health.status}`,
          },
          timings,
        },
        fence,
      );
      await deps.onEvent?.({
        scope,
        type: 'sync.superseded',
        severity: 'info',
        message: `sync of ${short(revision)} superseded by ${short(by)}`,
        syncId: record.id,
      });
      report({ type: 'sync-finished', outcome: { kind: 'superseded', record: done, by } });
      deps.onSyncFinished?.(done);
      return done;
    }
    if (deps.signal?.aborted && health.status !== 'Healthy') {
      // Sluice is stopping: the sync did not fail, it was cut short; the next start takes it up.
      const done = await deps.store.finishSync(
        record.id,
        {
          result: 'Failed',
          plan: applied.summary,
          health: health.status,
          error: { code: 'SYNC_ABANDONED', message: 'the controller stopped while this sync waited for health' },
          timings,
        },
        fence,
      );
      report({ type: 'sync-finished', outcome: { kind: 'aborted' } });
      deps.onSyncFinished?.(done);
      return done;
    }
    if (health.timedOut) {
      throw new ProviderError(
        'HEALTH_TIMEOUT',
        `not healthy after ${Math.round(env.healthTimeoutMs / 1000)}s: ${describeUnhealthy(health.resources) || health.status}`,
        {
          hint: 'Check the logs of the failing resources (`sluice logs`); raise healthTimeout in sluice.yaml if they start slowly.',
          retry: true,
        },
      );
    }
    // One transaction: a succeeded sync whose artifacts the ledger does not know, or the other
    // way round, is never seen by anyone (a promotion from this environment reads both).
    const done = await deps.store.transaction(async (tx) => {
      await recordApplied(tx, scope, revision, record.id, desired.resources);
      return tx.finishSync(
        record.id,
        { result: 'Succeeded', plan: applied.summary, health: health.status, timings },
        fence,
      );
    });
    if (mode === 'apply') {
      const unchanged = applied.changes.map((c) => ({ ...c, action: 'unchanged' as const }));
      ctx.onPlan(
        { changes: unchanged, summary: { create: 0, update: 0, delete: 0, unchanged: applied.changes.length } },
        desired.resources,
      );
    }
    report({
      type: 'sync-finished',
      outcome: { kind: 'succeeded', record: done, health: health.status, resources: health.resources },
    });
    const what = mode === 'apply' ? summaryText(applied) : 'nothing to change, healthy again';
    await deps.onEvent?.({
      scope,
      type: 'sync.succeeded',
      severity: 'info',
      message: `synced ${short(revision)} (${what}), ${health.status}`,
      syncId: record.id,
    });
    // Whether it serves what was promoted; a failed check never undoes the recorded sync.
    if (mode === 'apply') {
      const verdict = await afterSync(deps, { env, provider, scope, revision }, done, desired.resources).catch(
        (e: unknown) => {
          deps.log.error({ err: e, scope }, 'recording or verifying the sync failed');
          return undefined;
        },
      );
      if (verdict)
        report({
          type: 'verified',
          verification: verdict.verification,
          ...(verdict.failure ? { failure: verdict.failure } : {}),
        });
    }
    deps.onSyncFinished?.(done);
    return done;
  } catch (e) {
    if (e instanceof LeaseLostError) throw e;
    const error = maskedError(deps, e);
    const done = await deps.store.finishSync(
      record.id,
      { result: 'Failed', plan: applied.summary, error, timings },
      fence,
    );
    await deps.onEvent?.({
      scope,
      type: 'sync.failed',
      severity: 'error',
      message: `sync of ${short(revision)} failed: ${error.message}`,
      syncId: record.id,
    });
    report({ type: 'sync-finished', outcome: { kind: 'failed', record: done, error, transient: isTransient(e) } });
    deps.onSyncFinished?.(done);
    // Only the sync that applied the change judges its rollout: a retry that applies nothing does not roll back again.
    if (mode === 'apply' && error.code === 'HEALTH_TIMEOUT')
      await rolloutFailed(deps, { env, scope, revision }, done, error.message).catch((err: unknown) =>
        deps.log.error({ err, scope }, 'recording the failed rollout failed'),
      );
    return done;
  }
}

async function recordFailure(
  deps: RunnerDeps,
  ctx: RunContext,
  job: Job,
  e: unknown,
  timings: Record<string, number>,
  fence: Fence | undefined,
): Promise<SyncRecord> {
  const { scope, revision } = ctx;
  const error = maskedError(deps, e);
  if (!isSluiceError(e)) deps.log.error({ err: e, scope }, 'unexpected error while rendering');
  const started = await deps.store.startSync(newSync(scope, revision, job));
  const done = await deps.store.finishSync(started.id, { result: 'Failed', error, timings }, fence);
  await deps.onEvent?.({
    scope,
    type: 'sync.failed',
    severity: 'error',
    message: `${short(revision)}: ${error.message}`,
    syncId: done.id,
  });
  if (!job.dryRun)
    ctx.report({ type: 'sync-finished', outcome: { kind: 'failed', record: done, error, transient: isTransient(e) } });
  deps.onSyncFinished?.(done);
  return done;
}

function newSync(scope: Scope, revision: string, job: Job): NewSync {
  return {
    project: scope.project,
    app: scope.app,
    env: scope.env,
    revision,
    trigger: job.trigger,
    reason: job.reason,
    ...(job.actor ? { actor: job.actor } : {}),
    dryRun: job.dryRun,
    startedAt: new Date().toISOString(),
  };
}

function maskedError(deps: RunnerDeps, e: unknown): StatusError {
  const error = toStatusError(e);
  if (deps.mask) {
    error.message = deps.mask(error.message);
    if (error.hint) error.hint = deps.mask(error.hint);
  }
  return error;
}

export function short(revision: string): string {
  return revision.slice(0, 7);
}

function summaryText(plan: Plan): string {
  const s = plan.summary;
  return `${s.create} created, ${s.update} updated, ${s.delete} deleted`;
}

export function describeChanges(plan: Plan): string {
  return plan.changes
    .filter((c) => c.action !== 'unchanged')
    .map((c) => `${c.kind}/${c.name} ${c.reason ?? c.action}`)
    .join('; ');
}

export type { Environment };
