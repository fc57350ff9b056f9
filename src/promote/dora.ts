import type { LedgerEntry } from './ledger.js';

/**
 * DORA metrics from ledger entries of one environment (docs/dora.md has the definitions).
 * Pure: entries and a window in, numbers out.
 */
export interface DoraWindow {
  since: Date;
  until: Date;
}

export interface DurationStats {
  /** How many values the statistics are over. */
  count: number;
  medianMs: number | null;
  meanMs: number | null;
}

export interface DoraReport {
  env: string | null;
  since: string;
  until: string;
  /** Changes deployed: rollbacks are not among them (see `restorations`). */
  deployments: number;
  /** Deployments per day over the window. */
  deploymentsPerDay: number;
  /** Rollbacks deployed: they restore an earlier version and change nothing new. */
  restorations: number;
  leadTime: DurationStats;
  failedDeployments: number;
  /** failedDeployments ÷ deployments (rollbacks in neither); null without deployments. */
  changeFailureRate: number | null;
  timeToRestore: DurationStats & { unrestored: number };
  /** Each deployment and restoration counted, for checking the numbers by hand. */
  details: {
    app: string;
    env: string;
    revision: string;
    action: string;
    deployedAt: string;
    /** Not for rollbacks: they bring back old code, not a change. */
    leadTimeMs?: number;
    /** Where lead time started: its artifacts' source or first config commit, or (config-only) its own config commit. */
    leadTimeFrom?: 'artifacts' | 'config';
    /** A rollback: counted in `restorations`, not in deployments or the failure rate. */
    restoration: boolean;
    failed: boolean;
    failure?: 'verification' | 'rollback';
    restoredAt?: string;
    /** A rollback undid this change deliberately (`--not-a-failure`): why. */
    notAFailure?: string;
  }[];
}

const DAY = 86_400_000;

function stats(values: number[]): DurationStats {
  if (values.length === 0) return { count: 0, medianMs: null, meanMs: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    count: values.length,
    medianMs: Math.round(median),
    meanMs: Math.round(values.reduce((a, b) => a + b, 0) / values.length),
  };
}

/** Digests a change runs: those it wrote, else those its first successful sync applied. */
function artifactKey(e: LedgerEntry): string {
  const list = e.change.artifacts.length
    ? e.change.artifacts
    : (e.syncs.find((s) => s.result === 'Succeeded')?.artifacts ?? []);
  return list
    .map((a) => a.digest ?? `${a.ref}:${a.tag ?? ''}`)
    .sort()
    .join(',');
}

/**
 * Where lead time starts for each set of artifacts: the earliest source commit time given
 * for them, else the earliest config commit that brought them into any environment.
 */
function origins(entries: readonly LedgerEntry[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of entries) {
    if (e.change.action === 'rollback') continue;
    const key = artifactKey(e);
    if (!key) continue;
    const t = Date.parse(e.change.sourceTime ?? e.change.committedAt);
    if (!(out.get(key)! <= t)) out.set(key, t);
  }
  return out;
}

/**
 * Lead time of one deployment. A change that brought artifacts the environment did not run
 * before counts from their earliest known start (source commit, else first config commit
 * anywhere); a config-only change (same artifacts as the deployment before it) counts from its
 * own config commit: scaling replicas is not as old as the build it scales.
 */
function leadTime(
  e: LedgerEntry,
  previous: LedgerEntry | undefined,
  firstSeen: Map<string, number>,
  deployedAt: number,
): { ms: number; from: 'artifacts' | 'config' } {
  const key = artifactKey(e);
  if (!key || (previous && artifactKey(previous) === key)) {
    return { ms: Math.max(0, deployedAt - Date.parse(e.change.committedAt)), from: 'config' };
  }
  const own = Date.parse(e.change.sourceTime ?? e.change.committedAt);
  return { ms: Math.max(0, deployedAt - Math.min(own, firstSeen.get(key) ?? own)), from: 'artifacts' };
}

/**
 * When a change reached the environment: its first healthy sync, else, for a rollout that
 * applied but never turned healthy and so failed verification (a bad image, rolled back), when
 * that verification failed. Such a change did reach production and needed a remedy: leaving it
 * out would make the failure rate look better the worse a rollout goes.
 */
function reachedAt(e: LedgerEntry): string | undefined {
  if (e.deployedAt) return e.deployedAt;
  if (!e.verificationFailed) return undefined;
  return e.verifications
    .filter((v) => v.result === 'Failed')
    .map((v) => v.finishedAt)
    .sort()[0];
}

/** `entries` may span every environment: lead time looks for where artifacts first appeared. */
export function doraMetrics(
  entries: readonly LedgerEntry[],
  window: DoraWindow,
  env: string | null = null,
): DoraReport {
  const firstSeen = origins(entries);
  const scoped = entries.filter((e) => env === null || e.change.env === env);
  const byScope = new Map<string, LedgerEntry[]>();
  const reached = new Map<LedgerEntry, string>();
  for (const e of scoped) {
    const at = reachedAt(e);
    if (!at) continue;
    reached.set(e, at);
    const key = `${e.change.app}@${e.change.env}`;
    byScope.set(key, [...(byScope.get(key) ?? []), e]);
  }
  const details: DoraReport['details'] = [];
  const byRevision = new Map(scoped.map((e) => [`${e.change.app}@${e.change.env}@${e.change.revision}`, e]));
  const undoneBy = (e: LedgerEntry) =>
    e.rolledBackBy ? byRevision.get(`${e.change.app}@${e.change.env}@${e.rolledBackBy}`) : undefined;
  // A verification failure is a failure whatever came next; a rollback marks one unless it says it was deliberate.
  const failureOf = (e: LedgerEntry): 'verification' | 'rollback' | undefined =>
    e.verificationFailed ? 'verification' : e.rolledBackBy && !undoneBy(e)?.change.notAFailure ? 'rollback' : undefined;
  for (const list of byScope.values()) {
    list.sort((a, b) => Date.parse(reached.get(a)!) - Date.parse(reached.get(b)!));
    list.forEach((e, i) => {
      const deployedAt = Date.parse(reached.get(e)!);
      if (deployedAt < window.since.getTime() || deployedAt > window.until.getTime()) return;
      const restoration = e.change.action === 'rollback';
      const failure = restoration ? undefined : failureOf(e);
      let restoredAt: string | undefined;
      if (failure) {
        // Restored when the rollback that undid it was healthy, else at the next deployment not itself failed.
        const rollback = e.rolledBackBy ? list.find((x) => x.change.revision === e.rolledBackBy) : undefined;
        const next = rollback ?? list.slice(i + 1).find((x) => !failureOf(x));
        restoredAt = next && reached.get(next);
      }
      const deliberate = e.rolledBackBy ? undoneBy(e)?.change.notAFailure : undefined;
      const lead = restoration ? undefined : leadTime(e, list[i - 1], firstSeen, deployedAt);
      details.push({
        app: e.change.app,
        env: e.change.env,
        revision: e.change.revision,
        action: e.change.action,
        deployedAt: reached.get(e)!,
        ...(lead ? { leadTimeMs: lead.ms, leadTimeFrom: lead.from } : {}),
        restoration,
        failed: failure !== undefined,
        ...(failure ? { failure } : {}),
        ...(restoredAt ? { restoredAt } : {}),
        ...(deliberate ? { notAFailure: deliberate } : {}),
      });
    });
  }
  details.sort((a, b) => Date.parse(a.deployedAt) - Date.parse(b.deployedAt));
  const deployed = details.filter((d) => !d.restoration);
  const failed = deployed.filter((d) => d.failed);
  const restores = failed.filter((d) => d.restoredAt).map((d) => Date.parse(d.restoredAt!) - Date.parse(d.deployedAt));
  const days = Math.max((window.until.getTime() - window.since.getTime()) / DAY, 1 / 24);
  return {
    env,
    since: window.since.toISOString(),
    until: window.until.toISOString(),
    deployments: deployed.length,
    deploymentsPerDay: Math.round((deployed.length / days) * 1000) / 1000,
    restorations: details.length - deployed.length,
    leadTime: stats(deployed.flatMap((d) => (d.leadTimeMs === undefined ? [] : [d.leadTimeMs]))),
    failedDeployments: failed.length,
    changeFailureRate: deployed.length ? Math.round((failed.length / deployed.length) * 10_000) / 10_000 : null,
    timeToRestore: { ...stats(restores), unrestored: failed.length - restores.length },
    details,
  };
}
