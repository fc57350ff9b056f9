import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from './backoff.js';
import { WorkQueue } from './queue.js';

/**
 * Runs that the test finishes by hand, so ordering is decided by the test and not by timers.
 * The queue swallows what `run` throws, so nothing here asserts inside `run`: it records, and
 * the test asserts afterwards.
 */
function gatedRuns() {
  const release = new Map<string, () => void>();
  const waiters = new Map<string, (finish: () => void) => void>();
  const started: string[] = [];
  const run = (key: string, item: string): Promise<void> => {
    const label = `${key}:${item}`;
    started.push(label);
    return new Promise<void>((resolve) => {
      release.set(label, resolve);
      waiters.get(label)?.(resolve);
    });
  };
  /** Resolves, with the function that finishes it, once the run for `label` has started. */
  const whenStarted = (label: string): Promise<() => void> => {
    const finish = release.get(label);
    if (finish) return Promise.resolve(finish);
    return new Promise((resolve) => waiters.set(label, resolve));
  };
  return { run, whenStarted, started };
}

describe('WorkQueue', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs one job per key at a time and respects the global limit', async () => {
    const gate = gatedRuns();
    const errors: unknown[] = [];
    const running = new Set<string>();
    const overlaps: string[] = [];
    let peak = 0;
    const q = new WorkQueue<string>({
      concurrency: 2,
      merge: (a, b) => `${a}+${b}`,
      run: async (key, item) => {
        if (running.has(key)) overlaps.push(`${key}:${item}`);
        running.add(key);
        peak = Math.max(peak, running.size);
        try {
          await gate.run(key, item);
        } finally {
          running.delete(key);
        }
      },
      onError: (_key, e) => errors.push(e),
    });
    q.add('a', '1');
    q.add('b', '1');
    q.add('c', '1');
    const finishA1 = await gate.whenStarted('a:1');
    const finishB1 = await gate.whenStarted('b:1');
    expect(gate.started).toEqual(['a:1', 'b:1']); // c waits for a free slot
    q.add('a', '2'); // a is running: queued to run after it
    q.add('a', '3'); // merged with the waiting one
    finishA1();
    const finishC1 = await gate.whenStarted('c:1');
    // c was asked for before a's second request, so it takes the slot a freed.
    expect(gate.started).toEqual(['a:1', 'b:1', 'c:1']);
    finishB1();
    const finishA2 = await gate.whenStarted('a:2+3');
    finishC1();
    finishA2();
    await q.idle();
    expect(errors).toEqual([]);
    expect(overlaps).toEqual([]);
    expect(peak).toBe(2);
    expect(gate.started).toEqual(['a:1', 'b:1', 'c:1', 'a:2+3']);
  });

  it('does not start a key again while it is still running', async () => {
    const gate = gatedRuns();
    const q = new WorkQueue<string>({ concurrency: 4, merge: (_a, b) => b, run: gate.run });
    q.add('a', '1');
    const finish = await gate.whenStarted('a:1');
    q.add('a', '2');
    // Four free slots, yet the second request for a must wait for the first to end.
    expect(gate.started).toEqual(['a:1']);
    finish();
    (await gate.whenStarted('a:2'))();
    await q.idle();
    expect(gate.started).toEqual(['a:1', 'a:2']);
  });

  it('reports errors and keeps going', async () => {
    const errors: string[] = [];
    const done: string[] = [];
    const q = new WorkQueue<number>({
      concurrency: 1,
      merge: (a) => a,
      run: async (key) => {
        if (key === 'bad') throw new Error('boom');
        done.push(key);
      },
      onError: (key, e) => errors.push(`${key}: ${(e as Error).message}`),
    });
    q.add('bad', 1);
    q.add('good', 1);
    await q.idle();
    expect(errors).toEqual(['bad: boom']);
    expect(done).toEqual(['good']);
  });

  it('delays work and replaces a pending delayed item', async () => {
    vi.useFakeTimers();
    const seen: number[] = [];
    const q = new WorkQueue<number>({ concurrency: 1, merge: (_a, b) => b, run: async (_k, n) => void seen.push(n) });
    q.addAfter('k', 1, 30);
    q.addAfter('k', 2, 10);
    await vi.advanceTimersByTimeAsync(9);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await q.idle();
    expect(seen).toEqual([2]);
    // The replaced 30 ms item must not arrive later either.
    await vi.advanceTimersByTimeAsync(100);
    await q.idle();
    expect(seen).toEqual([2]);
  });
});

describe('backoffDelay', () => {
  it('doubles and caps, with jitter in the upper half', () => {
    expect(backoffDelay(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelay(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelay(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelay(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
});
