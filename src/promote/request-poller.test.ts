import { describe, expect, it } from 'vitest';
import { pollRequests } from './request-poller.js';
import type { PromotionService } from './service.js';

/** A service whose ledger holds one open request on a forge; counts how often it is settled. */
function service(settled: number[]): PromotionService {
  const open = [{ id: 7, state: 'open', external: { backend: 'github', id: '1' } }];
  return {
    o: { store: { ledger: { listPromotions: async () => open } } },
    settle: async (id: number) => void settled.push(id),
  } as unknown as PromotionService;
}

describe('reading hosted requests back', () => {
  it('applies a shorter interval as soon as it is known, not after the old one runs out', async () => {
    const settled: number[] = [];
    let interval = 60_000;
    const poller = pollRequests(service(settled), { intervalMs: () => interval, checkEveryMs: 20 });
    try {
      await new Promise((r) => setTimeout(r, 150));
      expect(settled).toEqual([]);
      interval = 250; // sluice.yaml's hosting settings were just read
      await expect.poll(() => settled.length, { timeout: 2_000, interval: 20 }).toBeGreaterThanOrEqual(1);
      expect(settled[0]).toBe(7);
    } finally {
      poller.close();
    }
  });

  it('settles no more often than the interval', async () => {
    const settled: number[] = [];
    const poller = pollRequests(service(settled), { intervalMs: () => 300, checkEveryMs: 20 });
    try {
      await new Promise((r) => setTimeout(r, 700));
      expect(settled.length).toBeGreaterThanOrEqual(1);
      expect(settled.length).toBeLessThanOrEqual(3);
    } finally {
      poller.close();
    }
  });
});
