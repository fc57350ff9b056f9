import type { Environment, Project } from '../config/index.js';
import { ProviderError, SourceError, isSluiceError } from '../errors/index.js';
import { isChanging, type Plan } from '../plan/types.js';
import type { Provider, ProviderLog, Scope } from '../providers/types.js';
import type { NewSync, Store, SyncRecord } from '../store/types.js';
import type { ReadonlyFs } from '../vfs/index.js';
import { desiredState, type DesiredState, type PolicyCheck, type ResourceFinalizer } from './desired.js';
import { describeUnhealthy, waitForHealth } from './health-wait.js';
import type { Job } from './job.js';
import { afterSync, type VerificationFailedHook } from './post-sync.js';
import { toStatusError, type StatusBoard } from './state.js';
import type { StatusError } from './status.js';
import type { ScopeRef } from './targets.js';

export interface RunnerDeps {
  store: Store;
  board: StatusBoard;
  log: ProviderLog;
  checkPolicy?: PolicyCheck;
  finalize?: ResourceFinalizer;
  /** Scrubs secret values from messages before they are stored or shown. */
  mask?: (text: string) => string;
  onSyncFinished?: (record: SyncRecord) => void;
  onEvent?: (e: { scope: Scope; type: string; severity: 'info' | 'warning' | 'error'; message: string; syncId?: number }) => Promise<void>;
  /** Aborted when the controller stops: a roll in progress ends cleanly instead of blocking shutdown. */
  signal?: AbortSignal;
  /** Verification failed after a sync (auto rollback lives in the promote part). */
  onVerificationFailed?: VerificationFailedHook;
}

export interface RunContext {
  project: Project;
  fs: ReadonlyFs;
  revision: string;
  ref: ScopeRef;
  provider: Provider;
  scope: Scope;
}

/** What happened to a job: a recorded sync, a refresh that found nothing to do, or a refresh that found work it may not do. */
export type RunOutcome =
  | { kind: 'synced'; record: SyncRecord; retryable: boolean }
  | { kind: 'in-sync' }
  | { kind: 'out-of-sync'; plan: Plan };

/**
 * Carries one job through render → policy → plan and, when the environment's rules allow,
 * apply → wait for health → record. Render and policy failures apply nothing.
 */
export async function runJob(deps: RunnerDeps, ctx: RunContext, job: Job): Promise<RunOutcome> {
  const { board } = deps;
  const { ref, revision, provider, scope } = ctx;
  const status = board.ensure(ref, provider.kind);
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
  try {
    desired = await timed('render', () => desiredState(ctx.fs, ctx.project, ref.app, env, provider, deps.checkPolicy, deps.finalize));
    plan = await timed('plan', () => provider.plan(scope, desired.resources, { prune: env.prune }));
  } catch (e) {
    // Nothing was applied: record the failure where people look (status, history, events).
    const record = await recordFailure(deps, ctx, job, e, timings);
    return { kind: 'synced', record, retryable: isRetryable(e) };
  }
  board.setPlan(ref.app.name, env.name, plan);
  status.desiredRevision = revision;

  const mayApply = job.force || (env.sync === 'auto' && (job.trigger !== 'drift' || env.selfHeal));
  if (!job.dryRun && !job.force && !isChanging(plan)) {
    const recovered = status.sync === 'Failed';
    status.syncedRevision = revision;
    status.sync = 'Synced';
    delete status.error;
    delete status.reason;
    delete status.drift;
    if (recovered) {
      // A revision that fixes a failed one without changing what runs still ends the failure:
      // record it, so history and the dashboard do not keep showing the failed sync as the last.
      const started = await deps.store.startSync(newSync(scope, revision, job));
      const done = await deps.store.finishSync(started.id, { result: 'Succeeded', plan: plan.summary, health: status.health, timings });
      status.lastSync = done;
      deps.onSyncFinished?.(done);
    }
    return { kind: 'in-sync' };
  }
  if (!job.dryRun && !mayApply) {
    status.sync = 'OutOfSync';
    status.reason = env.sync === 'manual' ? `revision ${short(revision)} waits for a manual sync` : `drift: ${describeChanges(plan)}`;
    return { kind: 'out-of-sync', plan };
  }

  const record = await deps.store.startSync(newSync(scope, revision, job));
  if (job.dryRun) {
    const done = await deps.store.finishSync(record.id, { result: 'Succeeded', plan: plan.summary, timings });
    deps.onSyncFinished?.(done);
    return { kind: 'synced', record: done, retryable: false };
  }

  status.sync = 'Syncing';
  status.reason = job.reason;
  await deps.onEvent?.({ scope, type: 'sync.started', severity: 'info', message: `sync of ${short(revision)} started: ${job.reason}`, syncId: record.id });
  try {
    const applied = await timed('apply', () =>
      provider.apply(scope, desired.resources, {
        prune: env.prune,
        force: env.force,
        revision,
        reason: job.reason,
        ...(deps.signal ? { signal: deps.signal } : {}),
        onProgress: (m) => deps.log.info({ scope, progress: m }, m),
      }),
    );
    board.setPlan(ref.app.name, env.name, applied);
    const health = await timed('health', () =>
      waitForHealth(() => provider.health(scope), {
        timeoutMs: env.healthTimeoutMs,
        ...(deps.signal ? { signal: deps.signal } : {}),
        onProgress: (resources) => {
          status.resources = resources;
        },
      }),
    );
    status.resources = health.resources;
    status.health = health.status;
    if (health.timedOut) {
      throw new ProviderError('HEALTH_TIMEOUT', `not healthy after ${Math.round(env.healthTimeoutMs / 1000)}s: ${describeUnhealthy(health.resources)}`, {
        hint: 'Check the logs of the failing resources (`sluice logs`); raise healthTimeout in sluice.yaml if they start slowly.',
      });
    }
    const done = await deps.store.finishSync(record.id, { result: 'Succeeded', plan: applied.summary, health: health.status, timings });
    Object.assign(status, { sync: 'Synced', syncedRevision: revision, lastSync: done });
    delete status.error;
    delete status.reason;
    delete status.drift;
    board.setPlan(ref.app.name, env.name, { changes: applied.changes.map((c) => ({ ...c, action: 'unchanged' as const })), summary: { create: 0, update: 0, delete: 0, unchanged: applied.changes.length } });
    await deps.onEvent?.({ scope, type: 'sync.succeeded', severity: 'info', message: `synced ${short(revision)} (${summaryText(applied)}), ${health.status}`, syncId: record.id });
    // The ledger learns what ran and whether it serves what was promoted; a failed check never undoes the recorded sync.
    await afterSync(deps, { env, provider, scope, revision }, done, desired.resources, status).catch((e: unknown) => deps.log.error({ err: e, scope }, 'recording or verifying the sync failed'));
    deps.onSyncFinished?.(done);
    return { kind: 'synced', record: done, retryable: false };
  } catch (e) {
    const error = maskedError(deps, e);
    const done = await deps.store.finishSync(record.id, { result: 'Failed', plan: plan.summary, health: status.health, error, timings });
    Object.assign(status, { sync: 'Failed', error, lastSync: done, reason: error.message });
    await deps.onEvent?.({ scope, type: 'sync.failed', severity: 'error', message: `sync of ${short(revision)} failed: ${error.message}`, syncId: record.id });
    deps.onSyncFinished?.(done);
    return { kind: 'synced', record: done, retryable: isRetryable(e) };
  }
}

async function recordFailure(deps: RunnerDeps, ctx: RunContext, job: Job, e: unknown, timings: Record<string, number>): Promise<SyncRecord> {
  const { scope, revision } = ctx;
  const error = maskedError(deps, e);
  if (!isSluiceError(e)) deps.log.error({ err: e, scope }, 'unexpected error while rendering');
  const started = await deps.store.startSync(newSync(scope, revision, job));
  const done = await deps.store.finishSync(started.id, { result: 'Failed', error, timings });
  const status = deps.board.ensure(ctx.ref, ctx.provider.kind);
  Object.assign(status, { sync: 'Failed', error, lastSync: done, desiredRevision: revision, reason: error.message });
  await deps.onEvent?.({ scope, type: 'sync.failed', severity: 'error', message: `${short(revision)}: ${error.message}`, syncId: done.id });
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

/** Errors worth retrying without a new revision: the target or the network failed, not the input. */
function isRetryable(e: unknown): boolean {
  return !isSluiceError(e) || e instanceof ProviderError || e instanceof SourceError;
}

export type { Environment };
