import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';
import { Lru } from './lru.js';

describe('Backoff', () => {
  it('doubles up to the cap, with the jitter in the upper half of each step', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1_000, random: () => 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => low.fail())).toEqual([50, 100, 200, 400, 500, 500]);
    const high = new Backoff({ initialMs: 100, maxMs: 1_000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5].map(() => high.fail())).toEqual([100, 200, 400, 800, 1000]);
    expect(high.attempts).toBe(5);
  });

  it('starts over after a success', () => {
    const b = new Backoff({ initialMs: 100, random: () => 0 });
    b.fail();
    b.fail();
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.fail()).toBe(50);
  });
});

describe('Lru', () => {
  it('evicts the least recently used entry', () => {
    const l = new Lru<string, number>(2);
    l.set('a', 1);
    l.set('b', 2);
    l.get('a');
    l.set('c', 3);
    expect([l.get('a'), l.get('b'), l.get('c')]).toEqual([1, undefined, 3]);
  });
});
