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
  deployments: number;
  /** Deployments per day over the window. */
  deploymentsPerDay: number;
  leadTime: DurationStats;
  failedDeployments: number;
  /** failedDeployments ÷ deployments; null without deployments. */
  changeFailureRate: number | null;
  timeToRestore: DurationStats & { unrestored: number };
  /** Each deployment counted, for checking the numbers by hand. */
  details: {
    app: string;
    env: string;
    revision: string;
    action: string;
    deployedAt: string;
    /** Not for rollbacks: they bring back old code, not a change. */
    leadTimeMs?: number;
    failed: boolean;
    failure?: 'verification' | 'rollback';
    restoredAt?: string;
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

/** `entries` may span every environment: lead time looks for where artifacts first appeared. */
export function doraMetrics(
  entries: readonly LedgerEntry[],
  window: DoraWindow,
  env: string | null = null,
): DoraReport {
  const firstSeen = origins(entries);
  const scoped = entries.filter((e) => env === null || e.change.env === env);
  const byScope = new Map<string, LedgerEntry[]>();
  for (const e of scoped) {
    if (!e.deployedAt) continue;
    const key = `${e.change.app}@${e.change.env}`;
    byScope.set(key, [...(byScope.get(key) ?? []), e]);
  }
  const details: DoraReport['details'] = [];
  for (const list of byScope.values()) {
    list.sort((a, b) => Date.parse(a.deployedAt!) - Date.parse(b.deployedAt!));
    list.forEach((e, i) => {
      const deployedAt = Date.parse(e.deployedAt!);
      if (deployedAt < window.since.getTime() || deployedAt > window.until.getTime()) return;
      const failure = e.verificationFailed ? 'verification' : e.rolledBackBy ? 'rollback' : undefined;
      const isFailed = (x: LedgerEntry) => x.verificationFailed || x.rolledBackBy !== undefined;
      let restoredAt: string | undefined;
      if (failure) {
        // Restored when the rollback that undid it was healthy, else at the next deployment not itself failed.
        const rollback = e.rolledBackBy ? list.find((x) => x.change.revision === e.rolledBackBy) : undefined;
        restoredAt = rollback?.deployedAt ?? list.slice(i + 1).find((x) => !isFailed(x))?.deployedAt;
      }
      const own = Date.parse(e.change.sourceTime ?? e.change.committedAt);
      const start = Math.min(own, firstSeen.get(artifactKey(e)) ?? own);
      details.push({
        app: e.change.app,
        env: e.change.env,
        revision: e.change.revision,
        action: e.change.action,
        deployedAt: e.deployedAt!,
        ...(e.change.action === 'rollback' ? {} : { leadTimeMs: Math.max(0, deployedAt - start) }),
        failed: failure !== undefined,
        ...(failure ? { failure } : {}),
        ...(restoredAt ? { restoredAt } : {}),
      });
    });
  }
  details.sort((a, b) => Date.parse(a.deployedAt) - Date.parse(b.deployedAt));
  const failed = details.filter((d) => d.failed);
  const restores = failed.filter((d) => d.restoredAt).map((d) => Date.parse(d.restoredAt!) - Date.parse(d.deployedAt));
  const days = Math.max((window.until.getTime() - window.since.getTime()) / DAY, 1 / 24);
  return {
    env,
    since: window.since.toISOString(),
    until: window.until.toISOString(),
    deployments: details.length,
    deploymentsPerDay: Math.round((details.length / days) * 1000) / 1000,
    leadTime: stats(details.flatMap((d) => (d.leadTimeMs === undefined ? [] : [d.leadTimeMs]))),
    failedDeployments: failed.length,
    changeFailureRate: details.length ? Math.round((failed.length / details.length) * 10_000) / 10_000 : null,
    timeToRestore: { ...stats(restores), unrestored: failed.length - restores.length },
    details,
  };
}
