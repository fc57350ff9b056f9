/** Scopes of one target a pass over every scope works on at once. */
export const PASS_CONCURRENCY = 32;

/**
 * Runs `fn` over every item, at most `concurrency` at a time, and lets the event loop take
 * I/O before each item. A drift or health pass over thousands of scopes whose answers come
 * from caches would otherwise run as one unbroken chain of microtasks, and API requests (and
 * lease renewals) would wait for the whole pass.
 */
export async function eachInTurn<T>(
  items: Iterable<T>,
  fn: (item: T) => Promise<void>,
  concurrency = PASS_CONCURRENCY,
): Promise<void> {
  const it = items[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const next = it.next();
      if (next.done) return;
      await fn(next.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

/**
 * `eachInTurn` in one lane per key (a target): a target that hangs until its deadline holds up
 * only its own items, never another target's.
 */
export async function eachInLanes<T>(
  items: Iterable<T>,
  lane: (item: T) => string,
  fn: (item: T) => Promise<void>,
  concurrency = PASS_CONCURRENCY,
): Promise<void> {
  const lanes = new Map<string, T[]>();
  for (const item of items) {
    const key = lane(item);
    const list = lanes.get(key);
    if (list) list.push(item);
    else lanes.set(key, [item]);
  }
  await Promise.all([...lanes.values()].map((list) => eachInTurn(list, fn, concurrency)));
}
