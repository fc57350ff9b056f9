/**
 * Lets the event loop take I/O now and then during a long loop over thousands of items whose
 * awaits resolve at once (renders of every scope of a revision): such a loop is otherwise one
 * unbroken chain of microtasks, and timers (a lease renewal, a heartbeat) and requests wait
 * for all of it.
 */
export class Breather {
  private last = performance.now();

  constructor(private readonly everyMs = 10) {}

  /** Yields to the event loop when the last yield is `everyMs` or more ago. */
  async breathe(): Promise<void> {
    if (performance.now() - this.last < this.everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}
