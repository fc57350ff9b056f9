/**
 * One retry timer per scope: setting one replaces the scope's last, and a due timer calls
 * `due` with its scope. Timers do not keep the process up.
 */
export class RetryTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly now: () => number,
    private readonly due: (key: string) => void,
  ) {}

  /** Calls `due(key)` at `at` (a time on `now`'s clock), or at once if that has passed. */
  at(key: string, at: number): void {
    this.cancel(key);
    const t = setTimeout(
      () => {
        this.timers.delete(key);
        this.due(key);
      },
      Math.max(0, at - this.now()),
    );
    t.unref?.();
    this.timers.set(key, t);
  }

  cancel(key: string): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
