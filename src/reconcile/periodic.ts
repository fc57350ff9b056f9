/**
 * Runs `fn` every `ms` after the previous run finished, so a slow run (a hung target) never
 * overlaps the next one. Errors go to `onError`; the loop keeps going.
 */
export function periodic(
  ms: number,
  fn: () => Promise<void>,
  onError: (e: unknown) => void,
): { stop(): void; now(): Promise<void>; fresh(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  const tick = (): Promise<void> => {
    if (running) return running;
    if (timer) clearTimeout(timer);
    running = fn()
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void tick();
        } else schedule();
      });
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void tick(), ms);
    timer.unref?.();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    /** Runs now (or joins the run under way). */
    now: tick,
    /**
     * Runs now, or once more as soon as the run under way ends: that run started too early to
     * see what this run is for (a lease that runs out in the middle of it).
     */
    fresh() {
      if (running) again = true;
      else void tick();
    },
  };
}
