import { describe, expect, it, vi } from 'vitest';
import { eachInLanes, eachInTurn } from './pass.js';

describe('eachInTurn', () => {
  it('runs every item once, no more than the concurrency at a time', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let most = 0;
    await eachInTurn(
      Array.from({ length: 50 }, (_, i) => i),
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise<void>((resolve) => setImmediate(resolve));
        seen.push(i);
        inFlight--;
      },
      4,
    );
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(most).toBe(4);
  });

  it('lets I/O callbacks in while items answer at once', async () => {
    let done = 0;
    let doneWhenIoRan: number | undefined;
    setImmediate(() => (doneWhenIoRan = done));
    await eachInTurn(
      Array.from({ length: 1000 }, (_, i) => i),
      async () => {
        done++;
      },
      8,
    );
    expect(done).toBe(1000);
    expect(doneWhenIoRan).toBeLessThan(1000);
  });

  it('passes a failure on', async () => {
    await expect(
      eachInTurn([1, 2, 3], async (i) => {
        if (i === 2) throw new Error('two');
      }),
    ).rejects.toThrow('two');
  });
});

describe('eachInLanes', () => {
  it('keeps an item that never ends from holding up another lane', async () => {
    const done: string[] = [];
    const hung = new Promise<void>(() => {});
    const pass = eachInLanes(
      [
        { target: 'hung', name: 'a' },
        { target: 'hung', name: 'b' },
        { target: 'up', name: 'c' },
        { target: 'up', name: 'd' },
      ],
      (item) => item.target,
      async (item) => {
        if (item.target === 'hung') return hung;
        done.push(item.name);
      },
      1,
    );
    await vi.waitFor(() => expect(done).toEqual(['c', 'd']));
    void pass;
  });
});
