import { aggregateHealth, type HealthStatus, type ResourceHealth } from '../plan/types.js';

export interface HealthWaitResult {
  status: HealthStatus;
  resources: ResourceHealth[];
  timedOut: boolean;
}

/**
 * Polls health until every resource is Healthy, or the timeout passes. Degraded is not final
 * on its own: a replica may still be in its restart backoff, so only the timeout ends the wait.
 */
export async function waitForHealth(
  read: () => Promise<ResourceHealth[]>,
  options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal; onProgress?: (h: ResourceHealth[]) => void },
): Promise<HealthWaitResult> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 250;
  for (;;) {
    const resources = await read();
    const status = resources.length === 0 ? 'Healthy' : aggregateHealth(resources);
    options.onProgress?.(resources);
    if (status === 'Healthy') return { status, resources, timedOut: false };
    if (Date.now() >= deadline || options.signal?.aborted) return { status, resources, timedOut: true };
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), options.signal);
  }
}

/** Waits `ms`, or less when the signal aborts (a newer revision must not wait out a poll interval). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** "Process/hello: replica 1 failing: connection refused; Process/api: starting" */
export function describeUnhealthy(resources: readonly ResourceHealth[]): string {
  return resources
    .filter((r) => r.status !== 'Healthy')
    .map((r) => `${r.kind}/${r.name} ${r.status}${r.message ? `: ${r.message}` : ''}`)
    .join('; ');
}
