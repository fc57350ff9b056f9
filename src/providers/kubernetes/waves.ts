import type { Resource } from '../../model/resource.js';
import { resourceRef } from '../../model/resource.js';
import { ProviderError } from '../../errors/index.js';
import type { ResourceHealth } from '../../plan/types.js';
import { healthOf } from './scope-health.js';

/**
 * A later sync wave starts only once the earlier one is healthy: a migration Job in wave -1
 * must finish before the Deployment that needs it rolls. Health is read from the watch
 * cache, so waiting costs no requests.
 */

export interface WaveWait {
  /** Live object of each item in the wave, or undefined while the cache has not seen it. */
  live: () => Promise<(Resource | undefined)[]>;
  checks: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

const POLL_MS = 200;

export async function waitForWave(wave: number, w: WaveWait): Promise<void> {
  const deadline = Date.now() + w.timeoutMs;
  let reported = '';
  for (;;) {
    const objs = await w.live();
    const pending: ResourceHealth[] = [];
    for (const obj of objs) {
      if (!obj) continue;
      const h = healthOf(obj, w.checks);
      if (h.status === 'Degraded') {
        throw new ProviderError(
          'KUBE_WAVE_DEGRADED',
          `sync wave ${wave} failed: ${resourceRef(obj)} is Degraded${h.message ? `: ${h.message}` : ''}`,
          {
            resource: resourceRef(obj),
            hint: 'Later waves were not applied. Fix this resource in Git and sync again.',
          },
        );
      }
      if (h.status !== 'Healthy' && h.status !== 'Suspended') pending.push(h);
    }
    if (pending.length === 0) return;
    const first = pending[0]!;
    const msg = `waiting for sync wave ${wave}: ${first.kind}/${first.name} is ${first.status}${first.message ? ` (${first.message})` : ''}`;
    if (msg !== reported) w.onProgress?.((reported = msg));
    if (w.signal?.aborted)
      throw new ProviderError('KUBE_ABORTED', 'sync was cancelled', { hint: 'Run the sync again to finish it.' });
    if (Date.now() > deadline) {
      throw new ProviderError(
        'KUBE_WAVE_TIMEOUT',
        `sync wave ${wave} was not healthy within ${Math.round(w.timeoutMs / 1000)}s: ${first.kind}/${first.name} is ${first.status}`,
        {
          resource: `${first.kind}/${first.name}`,
          hint: 'Later waves were not applied. Check why it is not healthy, or raise waveTimeout.',
        },
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
