/**
 * A work queue keyed by app × environment: at most one job per key runs at a time, at most
 * `concurrency` run overall, and a key asked for again while queued is merged, not repeated.
 * A key asked for while it runs is queued once more to run after it.
 */
export interface QueueOptions<T> {
  concurrency: number;
  run: (key: string, item: T) => Promise<void>;
  /** Combine two requests for a key that is still waiting (e.g. keep the strongest trigger). */
  merge: (queued: T, incoming: T) => T;
  onError?: (key: string, error: unknown) => void;
}

export class WorkQueue<T> {
  private readonly waiting = new Map<string, T>();
  private readonly order: string[] = [];
  private readonly running = new Set<string>();
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly options: QueueOptions<T>) {}

  add(key: string, item: T): void {
    if (this.stopped) return;
    const queued = this.waiting.get(key);
    if (queued !== undefined) {
      this.waiting.set(key, this.options.merge(queued, item));
    } else {
      this.waiting.set(key, item);
      this.order.push(key);
    }
    this.pump();
  }

  /** Adds after a delay; a later addAfter for the same key replaces the pending one. */
  addAfter(key: string, item: T, delayMs: number): void {
    clearTimeout(this.delayed.get(key));
    const t = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key, item);
    }, delayMs);
    t.unref();
    this.delayed.set(key, t);
  }

  cancelDelayed(key: string): void {
    clearTimeout(this.delayed.get(key));
    this.delayed.delete(key);
  }

  isBusy(key: string): boolean {
    return this.running.has(key) || this.waiting.has(key);
  }

  get size(): number {
    return this.waiting.size + this.running.size;
  }

  /** Resolves when nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work and waits for running jobs to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.delayed.values()) clearTimeout(t);
    this.delayed.clear();
    this.waiting.clear();
    this.order.length = 0;
    await this.idle();
  }

  private pump(): void {
    while (this.running.size < this.options.concurrency) {
      const idx = this.order.findIndex((k) => !this.running.has(k));
      if (idx < 0) break;
      const key = this.order.splice(idx, 1)[0]!;
      const item = this.waiting.get(key)!;
      this.waiting.delete(key);
      this.running.add(key);
      void this.options
        .run(key, item)
        .catch((e: unknown) => this.options.onError?.(key, e))
        .finally(() => {
          this.running.delete(key);
          this.pump();
          if (this.size === 0) {
            const w = this.idleWaiters;
            this.idleWaiters = [];
            w.forEach((f) => f());
          }
        });
    }
  }
}
