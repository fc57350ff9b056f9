import { api } from '../api/client.ts';
import type { ArtifactRecord, HoldRecord, Me, Promotion } from '../api/types.ts';
import { usePoll } from './usePoll.ts';

/** What the matrix shows besides status: versions running, holds, open requests, and what the identity may do. */
export interface MatrixFacts {
  /** `app\0env` → artifacts running there now. */
  running: Map<string, ArtifactRecord[]>;
  /** `app\0env` → digests held there. */
  held: Map<string, HoldRecord[]>;
  /** `app\0env` → open requests into that environment. */
  open: Map<string, Promotion[]>;
  /** Undefined until known, or when the server has no sign-in. */
  me?: Me;
  refresh: () => void;
}

export const scopeKey = (app: string, env: string) => `${app}\u0000${env}`;

function group<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) out.set(key(i), [...(out.get(key(i)) ?? []), i]);
  return out;
}

export function useMatrixFacts(envs: readonly string[]): MatrixFacts {
  const key = envs.join(',');
  const running = usePoll(
    async () => {
      const all = await Promise.all(envs.map((env) => api.whatRan(env)));
      return new Map(all.flatMap((w) => w.apps.map((a) => [scopeKey(a.app, w.env), a.artifacts] as const)));
    },
    3000,
    key,
  );
  // Holds and requests are newer features: a server without them leaves the matrix as it was.
  const holds = usePoll(() => api.holds().catch(() => [] as HoldRecord[]), 3000, 'holds');
  const open = usePoll(() => api.promotions({ state: 'open' }), 3000, 'open');
  const me = usePoll(() => api.me(), 30_000, 'me');
  return {
    running: running.data ?? new Map(),
    held: group(holds.data ?? [], (h) => scopeKey(h.app, h.env)),
    open: group(open.data ?? [], (p) => scopeKey(p.app, p.env)),
    ...(me.data ? { me: me.data } : {}),
    refresh: () => {
      running.refresh();
      holds.refresh();
      open.refresh();
    },
  };
}

/** What the identity may do in an environment; everything when the server has no sign-in (`/me` is 404). */
export function allowed(me: Me | undefined, env: string): { deploy: boolean; approve: boolean } {
  if (!me) return { deploy: true, approve: true };
  if (me.can.admin) return { deploy: true, approve: true };
  return { deploy: me.can.deploy.includes(env), approve: me.can.approve.includes(env) };
}
