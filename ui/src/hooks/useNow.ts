import { createContext, createElement, useContext, useEffect, useState, type ReactNode } from 'react';

const NowContext = createContext<number>(Date.now());

/** One clock for the whole page, so every relative time ("12s ago") ticks together. */
export function ClockProvider({ intervalMs = 1000, children }: { intervalMs?: number; children: ReactNode }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return createElement(NowContext.Provider, { value: now }, children);
}

export function useNow(): number {
  return useContext(NowContext);
}
