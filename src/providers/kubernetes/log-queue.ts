/**
 * Lines from many streams (one per pod and container) handed to one reader in the order they
 * arrive. Writers never wait: a follower of a chatty pod is not slowed by the reader, and the
 * reader wakes when a line comes or the queue is closed.
 */
export class LineQueue<T> {
  private items: T[] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *drain(): AsyncIterable<T> {
    for (;;) {
      while (this.items.length) yield this.items.shift()!;
      if (this.closed) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}
