import { describe, expect, it } from 'vitest';
import type { ProjectStatus } from '../reconcile/index.js';
import { SluiceMetrics } from './metrics.js';

const status = { project: 'shop', apps: [], source: {} } as unknown as ProjectStatus;

describe('DORA as Prometheus metrics', () => {
  it('exposes each environment, reading the ledger once per scrape, and leaves out what is undefined', async () => {
    let reads = 0;
    const m = new SluiceMetrics(
      () => status,
      async () => {
        reads++;
        return [
          {
            env: 'prod',
            deployments: 2,
            restorations: 2,
            failedDeployments: 2,
            changeFailureRate: 1,
            leadTimeMedianMs: 4_000,
            timeToRestoreMedianMs: 1_800_000,
          },
          {
            env: 'dev',
            deployments: 0,
            restorations: 0,
            failedDeployments: 0,
            changeFailureRate: null,
            leadTimeMedianMs: null,
            timeToRestoreMedianMs: null,
          },
        ];
      },
    );
    const text = await m.registry.metrics();
    expect(reads).toBe(1);
    expect(text).toContain('sluice_dora_deployments{env="prod"} 2');
    expect(text).toContain('sluice_dora_restorations{env="prod"} 2');
    expect(text).toContain('sluice_dora_change_failure_rate{env="prod"} 1');
    expect(text).toContain('sluice_dora_lead_time_median_seconds{env="prod"} 4');
    expect(text).toContain('sluice_dora_time_to_restore_median_seconds{env="prod"} 1800');
    expect(text).toContain('sluice_dora_deployments{env="dev"} 0');
    expect(text).not.toContain('sluice_dora_change_failure_rate{env="dev"}');
  });
});
