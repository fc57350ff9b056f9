import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';
import { WorkQueue } from './queue.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('runs one job per key at a time and respects the global limit', async () => {
    let active = 0;
    let peak = 0;
    const perKey = new Map<string, number>();
    const log: string[] = [];
    const q = new WorkQueue<string>({
      concurrency: 2,
      merge: (a, b) => `${a}+${b}`,
      run: async (key, item) => {
        active++;
        peak = Math.max(peak, active);
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
        expect(perKey.get(key)).toBe(1);
        await tick(20);
        log.push(`${key}:${item}`);
        perKey.set(key, perKey.get(key)! - 1);
        active--;
      },
    });
    q.add('a', '1');
    q.add('b', '1');
    q.add('c', '1');
    await tick(2);
    q.add('a', '2'); // a is running: queued to run after it
    q.add('a', '3'); // merged with the waiting one
    await q.idle();
    expect(peak).toBe(2);
    expect(log.filter((l) => l.startsWith('a:'))).toEqual(['a:1', 'a:2+3']);
    expect(log).toHaveLength(4);
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
    const seen: number[] = [];
    const q = new WorkQueue<number>({ concurrency: 1, merge: (_a, b) => b, run: async (_k, n) => void seen.push(n) });
    q.addAfter('k', 1, 30);
    q.addAfter('k', 2, 10);
    await tick(60);
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
