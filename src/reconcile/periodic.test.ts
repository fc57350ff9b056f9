import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { periodic } from './periodic.js';

describe('periodic', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs a fresh round after the one under way when asked during it, not only at the next interval', async () => {
    const started: number[] = [];
    let finish: (() => void) | undefined;
    const loop = periodic(
      5_000,
      () => {
        started.push(Date.now());
        return new Promise<void>((r) => (finish = r));
      },
      () => {},
    );
    const t0 = Date.now();
    void loop.now();
    expect(started).toEqual([t0]);
    // Asked while the round runs: that round began too early, so another follows it at once.
    loop.fresh();
    await vi.advanceTimersByTimeAsync(1_000);
    finish!();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([t0, t0 + 1_000]);
    // With no round under way it runs at once; the interval then counts from its end.
    finish!();
    await vi.advanceTimersByTimeAsync(0);
    loop.fresh();
    expect(started).toHaveLength(3);
    finish!();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(started).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toHaveLength(4);
    loop.stop();
  });
});
