import { useCallback, useEffect, useRef, useState } from 'react';

export interface Poll<T> {
  data?: T;
  /** The last poll's failure; cleared by the next success. Data from before the failure is kept. */
  error?: Error;
  /** When data last arrived, for "last updated" hints while the server is away. */
  updatedAt?: number;
  loading: boolean;
  /** Polls now instead of waiting for the next tick, e.g. right after a sync was queued. */
  refresh: () => void;
}

/**
 * Calls `load` now and every `intervalMs` while the page is visible, until unmounted or `key` changes. A slow response never
 * overlaps the next poll, and a response for an old key never lands on the new one. While `enabled` is false nothing
 * is polled (another source, such as an event stream, keeps the data).
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, key: string, enabled = true): Poll<T> {
  const [state, setState] = useState<Omit<Poll<T>, 'refresh'>>({ loading: true });
  const loadRef = useRef(load);
  // Declared before the polling effect so a new key's first poll already uses the new loader.
  useEffect(() => {
    loadRef.current = load;
  });
  const kick = useRef<() => void>(() => {});

  useEffect(() => {
    if (!enabled) return;
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    // A refresh asked for mid-poll must not be lost: that poll may have started before the change.
    let again = false;
    setState({ loading: true });

    const tick = async () => {
      if (inFlight) {
        again = true;
        return;
      }
      // A hidden tab polls nothing; it catches up the moment it is shown again.
      if (document.hidden) return;
      inFlight = true;
      clearTimeout(timer);
      try {
        const data = await loadRef.current();
        if (alive) setState({ data, loading: false, updatedAt: Date.now() });
      } catch (err) {
        if (alive)
          setState((s) => ({ ...s, loading: false, error: err instanceof Error ? err : new Error(String(err)) }));
      } finally {
        inFlight = false;
        if (alive) timer = setTimeout(() => void tick(), again ? 0 : intervalMs);
        again = false;
      }
    };
    const onVisible = () => {
      if (!document.hidden) void tick();
    };
    document.addEventListener('visibilitychange', onVisible);
    kick.current = () => void tick();
    void tick();
    return () => {
      alive = false;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [key, intervalMs, enabled]);

  const refresh = useCallback(() => kick.current(), []);
  return { ...state, refresh };
}
