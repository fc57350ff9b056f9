import { aggregateHealth, type HealthStatus, type ResourceHealth } from '../plan/types.js';
import type { SyncRecord, SyncTrigger } from '../store/types.js';
import { backoffDelay } from './backoff.js';
import type { StatusError } from './status.js';

/**
 * Where one app × environment stands. `Failed` is a transient failure with a retry scheduled;
 * `Stalled` is a terminal one that waits for a new revision or a manual sync.
 */
export type ScopePhase = 'Unknown' | 'Syncing' | 'Synced' | 'OutOfSync' | 'Failed' | 'Stalled';

export type Verification = {
  result: 'Passed' | 'Failed';
  at: string;
  checks: { name: string; url: string; passed: boolean; message: string }[];
};

export interface ScopeState {
  phase: ScopePhase;
  /** Newest revision that declares this scope. */
  desiredRevision?: string;
  /** Revision whose desired state live was last known to match. */
  syncedRevision?: string;
  /** Last sync that ran (dry runs excluded). */
  lastSync?: SyncRecord;
  error?: StatusError;
  reason?: string;
  /** Consecutive transient failures since the last success or new revision. */
  attempts: number;
  /** When the next retry of a transient failure is due (epoch ms). */
  nextAttemptAt?: number;
  drift?: { since: string; causes: string[] };
  health: HealthStatus;
  /** Why health is what it is when the target could not say (it did not answer, it is not started). */
  healthReason?: string;
  resources: ResourceHealth[];
  verification?: Verification;
  /** Revision of the apply under way; a newer revision supersedes its health wait. */
  running?: string;
}

/** What the environment's rules allow without a person. */
export interface ScopeRules {
  autoSync: boolean;
  selfHeal: boolean;
}

/** How a sync job ended, as the runner reports it. */
export type SyncOutcome =
  | { kind: 'succeeded'; record: SyncRecord; health: HealthStatus; resources: ResourceHealth[] }
  /** `record` is absent when no sync could start (the target could not be reached). */
  | { kind: 'failed'; record?: SyncRecord; error: StatusError; transient: boolean }
  | { kind: 'superseded'; record: SyncRecord; by: string }
  /** Live already matched desired; `record` is set when that ended an earlier failure. */
  | { kind: 'in-sync'; revision: string; record?: SyncRecord; health?: HealthStatus; resources?: ResourceHealth[] }
  | { kind: 'out-of-sync'; revision: string; reason: string }
  /** The controller stopped under it; nothing to learn. */
  | { kind: 'aborted' };

export type ScopeEvent =
  /** Rebuilt from the store at start: the last sync and the last one that succeeded. */
  | { type: 'restored'; lastSync?: SyncRecord; lastSucceeded?: SyncRecord }
  /** A revision that declares this scope; `affected` when it may change what the scope renders. */
  | { type: 'revision'; revision: string; affected: boolean; reason: string; trigger: 'startup' | 'revision' }
  | { type: 'manual-sync' }
  | { type: 'apply-started'; revision: string; reason: string }
  | { type: 'sync-finished'; outcome: SyncOutcome }
  | { type: 'health'; resources: ResourceHealth[] }
  /** Health read by the sync itself while it waits for the rollout it applied. */
  | { type: 'rollout'; resources: ResourceHealth[] }
  | { type: 'health-unknown'; reason: string }
  | { type: 'drift'; causes: string[]; summary: string; after?: string }
  | { type: 'no-drift' }
  | { type: 'retry-due' }
  | { type: 'verified'; verification: Verification | undefined; failure?: string };

export type Effect =
  | { type: 'sync'; trigger: SyncTrigger; reason: string }
  | { type: 'retry-at'; at: number }
  | { type: 'cancel-retry' }
  /** Stop waiting for health of the apply under way: a newer revision replaces it. */
  | { type: 'supersede'; by: string }
  | { type: 'event'; event: string; severity: 'info' | 'warning' | 'error'; message: string };

export interface TransitionContext {
  now: number;
  rules: ScopeRules;
  /** 0..1, for the jitter of retries; passed in so the transition stays pure. */
  random: number;
}

/** Retries of transient failures: about 5 s at first, doubling, never more than 5 minutes apart, never given up. */
export const RETRY_BASE_MS = 5_000;
export const RETRY_MAX_MS = 300_000;

export function initialState(): ScopeState {
  return { phase: 'Unknown', attempts: 0, health: 'Unknown', resources: [] };
}

/**
 * The one place a scope's status changes: (state, event) → (state, effects). Everything the
 * CLI, API and dashboard show about a scope is read from the state this returns.
 */
export function transition(
  state: ScopeState,
  event: ScopeEvent,
  ctx: TransitionContext,
): { state: ScopeState; effects: Effect[] } {
  const s: ScopeState = { ...state };
  const effects: Effect[] = [];
  switch (event.type) {
    case 'restored': {
      const last = event.lastSync;
      if (event.lastSucceeded) s.syncedRevision = event.lastSucceeded.revision;
      if (!last) break;
      s.lastSync = last;
      s.desiredRevision = last.revision;
      if (last.result === 'Succeeded') s.phase = 'Synced';
      else if (last.result === 'Failed' && last.error) {
        s.phase = 'Failed';
        s.error = last.error;
        s.reason = last.error.message;
      } else s.phase = 'OutOfSync';
      break;
    }
    case 'revision': {
      const newer = s.desiredRevision !== event.revision;
      s.desiredRevision = event.revision;
      // A failure is re-examined at every new revision, whatever paths it touched: a revert of
      // the commit that broke things changes no path since the last good revision.
      const needs =
        event.affected ||
        event.trigger === 'startup' ||
        s.phase === 'Failed' ||
        s.phase === 'Stalled' ||
        s.phase === 'Unknown';
      if (!needs) {
        if (s.phase === 'Synced') s.syncedRevision = event.revision;
        break;
      }
      if (newer) {
        s.attempts = 0;
        delete s.nextAttemptAt;
        effects.push({ type: 'cancel-retry' });
      }
      if (s.phase === 'Syncing' && s.running && s.running !== event.revision && event.affected)
        effects.push({ type: 'supersede', by: event.revision });
      effects.push({ type: 'sync', trigger: event.trigger, reason: event.reason });
      break;
    }
    case 'manual-sync':
      s.attempts = 0;
      delete s.nextAttemptAt;
      effects.push({ type: 'cancel-retry' });
      break;
    case 'apply-started':
      s.phase = 'Syncing';
      s.running = event.revision;
      s.reason = event.reason;
      break;
    case 'sync-finished':
      delete s.running;
      finish(s, event.outcome, ctx, effects);
      break;
    case 'health':
      if (s.phase === 'Syncing') break; // the sync reports its own progress
      s.resources = event.resources;
      s.health =
        event.resources.length === 0 ? (s.syncedRevision ? 'Healthy' : 'Missing') : aggregateHealth(event.resources);
      delete s.healthReason;
      break;
    case 'rollout':
      // Only the sync under way reports this: a rollout watched while Progressing, or gone Degraded.
      if (s.phase !== 'Syncing') break;
      s.resources = event.resources;
      s.health = event.resources.length === 0 ? 'Healthy' : aggregateHealth(event.resources);
      delete s.healthReason;
      break;
    case 'health-unknown':
      s.health = 'Unknown';
      s.healthReason = event.reason;
      break;
    case 'drift': {
      if (s.phase !== 'Synced' && !(s.phase === 'OutOfSync' && s.drift)) break;
      if (!s.drift) {
        s.drift = { since: new Date(ctx.now).toISOString(), causes: event.causes };
        effects.push({
          type: 'event',
          event: 'drift.detected',
          severity: 'warning',
          message: `drift: ${event.summary}${event.after ? ` (after: ${event.after})` : ''}`,
        });
      } else s.drift = { ...s.drift, causes: event.causes };
      if (ctx.rules.selfHeal && ctx.rules.autoSync) {
        effects.push({ type: 'sync', trigger: 'drift', reason: `drift: ${event.summary}` });
      } else {
        s.phase = 'OutOfSync';
        s.reason = `drift: ${event.summary}`;
      }
      break;
    }
    case 'no-drift':
      if (s.drift) {
        delete s.drift;
        if (s.phase === 'OutOfSync') {
          s.phase = 'Synced';
          delete s.reason;
        }
      }
      break;
    case 'retry-due':
      delete s.nextAttemptAt;
      if (s.phase === 'Failed')
        effects.push({
          type: 'sync',
          trigger: 'retry',
          reason: `retry ${s.attempts} after: ${s.error?.message ?? 'failure'}`,
        });
      break;
    case 'verified':
      if (event.verification) s.verification = event.verification;
      else delete s.verification;
      if (event.failure) s.reason = event.failure;
      break;
  }
  return { state: s, effects };
}

function finish(s: ScopeState, o: SyncOutcome, ctx: TransitionContext, effects: Effect[]): void {
  switch (o.kind) {
    case 'succeeded':
      s.phase = 'Synced';
      s.syncedRevision = o.record.revision;
      s.lastSync = o.record;
      s.health = o.health;
      s.resources = o.resources;
      delete s.healthReason;
      clearFailure(s, effects);
      break;
    case 'in-sync':
      s.phase = 'Synced';
      s.syncedRevision = o.revision;
      if (o.record) s.lastSync = o.record;
      if (o.health) s.health = o.health;
      if (o.resources) s.resources = o.resources;
      clearFailure(s, effects);
      break;
    case 'failed':
      if (o.record) s.lastSync = o.record;
      s.error = o.error;
      s.reason = o.error.message;
      delete s.drift;
      if (o.transient) {
        s.phase = 'Failed';
        s.attempts += 1;
        const at = ctx.now + backoffDelay(s.attempts, RETRY_BASE_MS, RETRY_MAX_MS, () => ctx.random);
        s.nextAttemptAt = at;
        effects.push({ type: 'retry-at', at });
      } else {
        s.phase = 'Stalled';
        s.attempts = 0;
        delete s.nextAttemptAt;
        effects.push({ type: 'cancel-retry' });
        effects.push({
          type: 'event',
          event: 'scope.stalled',
          severity: 'error',
          message: `stalled until a new revision or a manual sync: ${o.error.message}`,
        });
      }
      break;
    case 'superseded':
      s.lastSync = o.record;
      s.phase = 'OutOfSync';
      s.reason = `superseded by ${o.by.slice(0, 7)}`;
      break;
    case 'out-of-sync':
      s.phase = 'OutOfSync';
      s.reason = o.reason;
      break;
    case 'aborted':
      break;
  }
}

function clearFailure(s: ScopeState, effects: Effect[]): void {
  delete s.error;
  delete s.reason;
  delete s.drift;
  delete s.nextAttemptAt;
  if (s.attempts > 0) effects.push({ type: 'cancel-retry' });
  s.attempts = 0;
}
