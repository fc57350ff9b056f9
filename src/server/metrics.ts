import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProjectStatus } from '../reconcile/index.js';
import type { SyncRecord } from '../store/types.js';

const HEALTH = ['Healthy', 'Progressing', 'Degraded', 'Missing', 'Suspended', 'Unknown'];
const SYNC = ['Synced', 'OutOfSync', 'Syncing', 'Failed', 'Stalled', 'Unknown'];

/** Prometheus metrics for /metrics: sync outcomes and durations, and the state of every app × environment. */
export class SluiceMetrics {
  readonly registry = new Registry();
  private readonly syncs: Counter<'app' | 'env' | 'result' | 'trigger'>;
  private readonly duration: Histogram<'app' | 'env' | 'result'>;

  constructor(readStatus: () => ProjectStatus) {
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
  }

  recordSync(r: SyncRecord): void {
    if (r.dryRun || r.result === 'Running') return;
    this.syncs.inc({ app: r.app, env: r.env, result: r.result, trigger: r.trigger });
    const seconds = Object.values(r.timings).reduce((a, b) => a + b, 0) / 1000;
    this.duration.observe({ app: r.app, env: r.env, result: r.result }, seconds);
  }
}
