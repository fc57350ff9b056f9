import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProjectStatus } from '../reconcile/index.js';
import type { SyncRecord } from '../store/types.js';

const HEALTH = ['Healthy', 'Progressing', 'Degraded', 'Missing', 'Suspended', 'Unknown'];
const SYNC = ['Synced', 'OutOfSync', 'Syncing', 'Failed', 'Stalled', 'Unknown'];

/** The DORA numbers of one environment over the metrics window (docs/dora.md defines them). */
export interface DoraSample {
  env: string;
  deployments: number;
  restorations: number;
  failedDeployments: number;
  changeFailureRate: number | null;
  leadTimeMedianMs: number | null;
  timeToRestoreMedianMs: number | null;
}

/** Prometheus metrics for /metrics: sync outcomes and durations, and the state of every app × environment. */
export class SluiceMetrics {
  readonly registry = new Registry();
  private readonly syncs: Counter<'app' | 'env' | 'result' | 'trigger'>;
  private readonly duration: Histogram<'app' | 'env' | 'result'>;

  /** `readDora`: the DORA numbers per environment, read from the ledger at each scrape. */
  constructor(readStatus: () => ProjectStatus, readDora?: () => Promise<DoraSample[]>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'sluice_process_' });
    this.syncs = new Counter({
      name: 'sluice_syncs_total',
      help: 'Syncs finished, by result and trigger',
      labelNames: ['app', 'env', 'result', 'trigger'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'sluice_sync_duration_seconds',
      help: 'Time from sync start to healthy (or failure)',
      labelNames: ['app', 'env', 'result'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [this.registry],
    });
    const registry = this.registry;
    new Gauge({
      name: 'sluice_app_health',
      help: '1 for the current health of each app × environment',
      labelNames: ['app', 'env', 'health'],
      registers: [registry],
      collect() {
        this.reset();
        for (const a of readStatus().apps)
          for (const h of HEALTH) this.set({ app: a.app, env: a.env, health: h }, a.health === h ? 1 : 0);
      },
    });
    new Gauge({
      name: 'sluice_app_sync_status',
      help: '1 for the current sync status of each app × environment',
      labelNames: ['app', 'env', 'status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const a of readStatus().apps)
          for (const s of SYNC) this.set({ app: a.app, env: a.env, status: s }, a.sync === s ? 1 : 0);
      },
    });
    new Gauge({
      name: 'sluice_app_drift',
      help: '1 while live differs from desired without a new revision',
      labelNames: ['app', 'env'],
      registers: [registry],
      collect() {
        this.reset();
        for (const a of readStatus().apps) this.set({ app: a.app, env: a.env }, a.drift ? 1 : 0);
      },
    });
    new Gauge({
      name: 'sluice_source_up',
      help: '1 when the last fetch of the config repo succeeded',
      registers: [registry],
      collect() {
        this.set(readStatus().source.error ? 0 : 1);
      },
    });
    if (readDora) this.doraGauges(readDora);
  }

  /**
   * DORA over the last 30 days per environment, as gauges read from the ledger at scrape time
   * (the same numbers as `sluice dora --since 30d`). One ledger read serves all gauges of a scrape.
   */
  private doraGauges(readDora: () => Promise<DoraSample[]>): void {
    let pending: Promise<DoraSample[]> | undefined;
    const samples = () => {
      pending ??= readDora().finally(() => setImmediate(() => (pending = undefined)));
      return pending;
    };
    const gauge = (name: string, help: string, value: (s: DoraSample) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['env'],
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const s of await samples()) {
            const v = value(s);
            if (v !== null) this.set({ env: s.env }, v);
          }
        },
      });
    gauge('sluice_dora_deployments', 'Deployments (rollbacks excluded) in the last 30 days', (s) => s.deployments);
    gauge('sluice_dora_restorations', 'Rollbacks deployed in the last 30 days', (s) => s.restorations);
    gauge('sluice_dora_failed_deployments', 'Failed deployments in the last 30 days', (s) => s.failedDeployments);
    gauge(
      'sluice_dora_change_failure_rate',
      'Failed deployments ÷ deployments over the last 30 days; absent without deployments',
      (s) => s.changeFailureRate,
    );
    gauge('sluice_dora_lead_time_median_seconds', 'Median lead time for changes over the last 30 days', (s) =>
      s.leadTimeMedianMs === null ? null : s.leadTimeMedianMs / 1000,
    );
    gauge('sluice_dora_time_to_restore_median_seconds', 'Median time to restore over the last 30 days', (s) =>
      s.timeToRestoreMedianMs === null ? null : s.timeToRestoreMedianMs / 1000,
    );
  }

  recordSync(r: SyncRecord): void {
    if (r.dryRun || r.result === 'Running') return;
    this.syncs.inc({ app: r.app, env: r.env, result: r.result, trigger: r.trigger });
    const seconds = Object.values(r.timings).reduce((a, b) => a + b, 0) / 1000;
    this.duration.observe({ app: r.app, env: r.env, result: r.result }, seconds);
  }
}
