import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryTimers } from './retry-timers.js';

describe('retry timers', () => {
  let due: string[];
  let timers: RetryTimers;
  beforeEach(() => {
    vi.useFakeTimers();
    due = [];
    timers = new RetryTimers(Date.now, (key) => due.push(key));
  });
  afterEach(() => vi.useRealTimers());

  it("fires a scope's timer once, when it is due", () => {
    timers.at('a', Date.now() + 1000);
    vi.advanceTimersByTime(999);
    expect(due).toEqual([]);
    vi.advanceTimersByTime(1);
    vi.advanceTimersByTime(5000);
    expect(due).toEqual(['a']);
  });

  it("replaces a scope's earlier timer, and leaves other scopes' alone", () => {
    timers.at('a', Date.now() + 1000);
    timers.at('b', Date.now() + 1500);
    timers.at('a', Date.now() + 3000);
    vi.advanceTimersByTime(2000);
    expect(due).toEqual(['b']);
    vi.advanceTimersByTime(1000);
    expect(due).toEqual(['b', 'a']);
  });

  it('fires at once for a time already past; cancelled and cleared timers never fire', () => {
    timers.at('late', Date.now() - 10);
    timers.at('cancelled', Date.now() + 10);
    timers.at('cleared', Date.now() + 20);
    timers.cancel('cancelled');
    vi.advanceTimersByTime(0);
    timers.clear();
    vi.advanceTimersByTime(100);
    expect(due).toEqual(['late']);
  });
});
