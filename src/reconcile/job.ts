import type { SyncRecord, SyncTrigger } from '../store/types.js';

/** One request to reconcile a scope; requests for the same waiting scope are merged. */
export interface Job {
  trigger: SyncTrigger;
  reason: string;
  actor?: string;
  dryRun: boolean;
  /** Apply even if auto-sync is off or the plan is empty (an explicit `sluice sync`). */
  force: boolean;
  /** Callers waiting for the sync record (the CLI's `sync --wait`). */
  waiters: ((r: SyncRecord | undefined, e?: unknown) => void)[];
}

const strength: Record<SyncTrigger, number> = { manual: 5, revision: 4, drift: 3, retry: 2, startup: 1 };

/** Keeps the stronger request's trigger and reason; a forced or real request beats a dry run. */
export function mergeJobs(a: Job, b: Job): Job {
  const winner = strength[b.trigger] >= strength[a.trigger] ? b : a;
  return {
    ...winner,
    dryRun: a.dryRun && b.dryRun,
    force: a.force || b.force,
    waiters: [...a.waiters, ...b.waiters],
  };
}
