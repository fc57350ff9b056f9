import { createContext, useContext } from 'react';
import type { Me } from '../api/types.ts';

/** The signed-in identity; the app renders nothing that needs it before it is known. */
export const MeContext = createContext<Me | undefined>(undefined);

/**
 * What the signed-in identity may do. Buttons it may not use are hidden; the server refuses them
 * anyway, this only spares a click that would fail.
 */
export function useCan(): { sync(env: string): boolean; approve(env: string): boolean; audit: boolean } {
  const me = useContext(MeContext);
  return {
    sync: (env) => me?.can.sync.includes(env) ?? false,
    approve: (env) => me?.can.approve.includes(env) ?? false,
    audit: me?.can.audit ?? me?.can.admin ?? false,
  };
}
