import { ProviderError } from '../../errors/index.js';
import type { ProviderLog } from '../types.js';
import type { KubeClient } from './client.js';
import type { Discovery } from './discovery.js';
import type { Inventory } from './inventory.js';
import type { LiveState } from './live-state.js';
import type { ResolvedOptions } from './options.js';

/** Everything the plan, apply and health steps share for one provider instance. */
export interface Runtime {
  client: KubeClient;
  discovery: Discovery;
  live: LiveState;
  inventory: Inventory;
  options: ResolvedOptions;
  writes: OwnWrites;
  log: ProviderLog;
}

// Servers whose resource versions are not integers: how long after a write its events count as Sluice's.
const GRACE_MS = 3000;

function rvNumber(rv: unknown): number | undefined {
  const n = typeof rv === 'string' ? Number(rv) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Objects Sluice is writing or wrote. A watch event at or below the resource version Sluice's
 * own write returned is Sluice's change, not drift; anything later is someone else's.
 */
export class OwnWrites {
  private readonly written = new Map<string, { rv: number | undefined; at: number }>();
  private readonly active = new Map<string, number>();

  static key(gk: string, namespace: string | undefined, name: string): string {
    return `${gk}/${namespace ?? ''}/${name}`;
  }

  /** Runs a write; `rvOf` reads the resource version from its result (none for deletes). */
  async around<T>(key: string, fn: () => Promise<T>, rvOf: (result: T) => unknown = () => undefined): Promise<T> {
    this.active.set(key, (this.active.get(key) ?? 0) + 1);
    let rv: number | undefined;
    try {
      const result = await fn();
      rv = rvNumber(rvOf(result));
      return result;
    } finally {
      const n = this.active.get(key)! - 1;
      if (n === 0) this.active.delete(key);
      else this.active.set(key, n);
      this.written.set(key, { rv, at: Date.now() });
    }
  }

  isOwn(key: string, eventRv: unknown): boolean {
    if (this.active.has(key)) return true;
    const w = this.written.get(key);
    if (!w) return false;
    const ev = rvNumber(eventRv);
    if (w.rv !== undefined && ev !== undefined) return ev <= w.rv;
    return Date.now() - w.at <= GRACE_MS;
  }
}

export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new ProviderError('KUBE_ABORTED', 'sync was cancelled', { hint: 'Run the sync again to finish it.' });
}
