import { describe, expect, it } from 'vitest';
import type { Resource } from '../../model/resource.js';
import { waitForWave } from './waves.js';

const cm: Resource = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } };
const job = (conditions: object[]): Resource => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'j', namespace: 'n' },
  spec: {},
  status: { conditions },
});

describe('waitForWave', () => {
  it('returns at once when the wave is healthy', async () => {
    await expect(
      waitForWave(0, { live: async () => [cm, undefined], checks: {}, timeoutMs: 1000 }),
    ).resolves.toBeUndefined();
  });

  it('waits until the wave becomes healthy, reporting what it waits for', async () => {
    let calls = 0;
    const progress: string[] = [];
    await waitForWave(-1, {
      live: async () => [++calls < 3 ? job([]) : job([{ type: 'Complete', status: 'True' }])],
      checks: {},
      timeoutMs: 5000,
      onProgress: (m) => progress.push(m),
    });
    expect(calls).toBe(3);
    expect(progress).toEqual(['waiting for sync wave -1: Job/j is Progressing (0 active, 0 succeeded)']);
  });

  it('gives up after the timeout, and at once on Degraded', async () => {
    await expect(waitForWave(1, { live: async () => [job([])], checks: {}, timeoutMs: 300 })).rejects.toMatchObject({
      code: 'KUBE_WAVE_TIMEOUT',
    });
    await expect(
      waitForWave(1, {
        live: async () => [job([{ type: 'Failed', status: 'True', message: 'boom' }])],
        checks: {},
        timeoutMs: 5000,
      }),
    ).rejects.toMatchObject({
      code: 'KUBE_WAVE_DEGRADED',
      message: 'sync wave 1 failed: Job/n/j is Degraded: boom',
    });
  });
});
