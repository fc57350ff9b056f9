/**
 * Runs `run` once for every item, each only after the items it depends on have finished, with
 * at most `limit` running at once: services with no dependency between them are rolled out
 * side by side, as `docker compose up` does. The first failure stops new starts (what already
 * runs finishes) and is thrown; an item never starts after one it depends on failed.
 * `after` must name items of the list only, in an order without cycles.
 */
export async function runInDependencyOrder<T>(
  items: readonly T[],
  after: (item: T) => readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  const done = new Set<T>();
  const started = new Set<T>();
  let failed: { error: unknown } | undefined;
  let running = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      if (!failed)
        for (const item of items) {
          if (running >= limit) break;
          if (started.has(item) || !after(item).every((d) => done.has(d))) continue;
          started.add(item);
          running++;
          run(item).then(
            () => {
              done.add(item);
              running--;
              pump();
            },
            (e: unknown) => {
              failed ??= { error: e };
              running--;
              pump();
            },
          );
        }
      if (running === 0) resolve();
    };
    pump();
  });
  if (failed) throw failed.error;
}
