import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PromotionRecord } from '../store/ledger-types.js';
import { pollRequests, type PendingRequests } from './request-poller.js';

/** An open request on a forge and a local one; counts how often each is settled. */
function service(settled: number[]): PendingRequests {
  const open = [
    { id: 7, state: 'open', external: { backend: 'github', id: '1' } },
    { id: 8, state: 'open' },
  ] as PromotionRecord[];
  return {
    open: async () => open,
    settle: async (id: number) => void settled.push(id),
  };
}

describe('reading hosted requests back', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('applies a shorter interval as soon as it is known, not after the old one runs out', async () => {
    const settled: number[] = [];
    let interval = 60_000;
    const poller = pollRequests(service(settled), { intervalMs: () => interval, checkEveryMs: 20 });
    try {
      await vi.advanceTimersByTimeAsync(240);
      expect(settled).toEqual([]);
      interval = 250; // sluice.yaml's hosting settings were just read
      await vi.advanceTimersByTimeAsync(20);
      expect(settled).toEqual([7, 8]);
    } finally {
      poller.close();
    }
  });

  it('settles no more often than the interval', async () => {
    const settled: number[] = [];
    const poller = pollRequests(service(settled), { intervalMs: () => 300, checkEveryMs: 20 });
    try {
      await vi.advanceTimersByTimeAsync(299);
      expect(settled).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toEqual([7, 8]);
      await vi.advanceTimersByTimeAsync(299);
      expect(settled).toEqual([7, 8]);
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toEqual([7, 8, 7, 8]);
    } finally {
      poller.close();
    }
  });

  it('settles local requests too, and runs one more round when asked during a round', async () => {
    const settled: number[] = [];
    const poller = pollRequests(service(settled), { intervalMs: () => 3_600_000, checkEveryMs: 3_600_000 });
    try {
      const first = poller.tick();
      void poller.tick(); // a sync finished while the round ran
      await first;
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toEqual([7, 8, 7, 8]);
    } finally {
      poller.close();
    }
  });
});
