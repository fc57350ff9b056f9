import { describe, expect, it } from 'vitest';
import { runInDependencyOrder } from './schedule.js';

/** A step the test finishes by hand, so the order is seen without timers. */
function gate() {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const p = new Promise<void>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { p, open, fail };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('runInDependencyOrder', () => {
  it('starts independent items together and a dependent only after what it depends on', async () => {
    const gates = new Map(['a', 'b', 'c'].map((k) => [k, gate()]));
    const deps: Record<string, string[]> = { a: [], b: [], c: ['a'] };
    const started: string[] = [];
    const all = runInDependencyOrder(
      ['a', 'b', 'c'],
      (k) => deps[k]!,
      8,
      (k) => {
        started.push(k);
        return gates.get(k)!.p;
      },
    );
    await tick();
    expect(started).toEqual(['a', 'b']);
    gates.get('b')!.open();
    await tick();
    expect(started).toEqual(['a', 'b']);
    gates.get('a')!.open();
    await tick();
    expect(started).toEqual(['a', 'b', 'c']);
    gates.get('c')!.open();
    await all;
  });

  it('keeps at most `limit` running', async () => {
    let running = 0;
    let peak = 0;
    await runInDependencyOrder(
      [1, 2, 3, 4, 5, 6, 7],
      () => [],
      3,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await tick();
        running--;
      },
    );
    expect(peak).toBe(3);
  });

  it('starts nothing new after a failure, never a dependent of the failed item, and throws it', async () => {
    const started: string[] = [];
    const deps: Record<string, string[]> = { a: [], b: ['a'], c: [] };
    await expect(
      runInDependencyOrder(
        ['a', 'b', 'c'],
        (k) => deps[k]!,
        1,
        async (k) => {
          started.push(k);
          if (k === 'a') throw new Error('a broke');
        },
      ),
    ).rejects.toThrow('a broke');
    expect(started).toEqual(['a']);
  });

  it('finishes at once with nothing to run', async () => {
    await runInDependencyOrder(
      [],
      () => [],
      4,
      () => Promise.resolve(),
    );
  });
});
