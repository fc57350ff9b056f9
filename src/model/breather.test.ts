import { describe, expect, it } from 'vitest';
import { Breather } from './breather.js';

describe('Breather', () => {
  it('lets a timer in during a long loop whose awaits resolve at once', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const breather = new Breather(2);
    const until = performance.now() + 60;
    let turns = 0;
    while (performance.now() < until) {
      await Promise.resolve();
      await breather.breathe();
      turns++;
    }
    clearInterval(timer);
    expect(turns).toBeGreaterThan(0);
    expect(ticks).toBeGreaterThan(0);
  });

  it('does not yield on every call', async () => {
    const breather = new Breather(60_000);
    let immediate = false;
    setImmediate(() => (immediate = true));
    for (let i = 0; i < 100; i++) await breather.breathe();
    expect(immediate).toBe(false);
  });
});
