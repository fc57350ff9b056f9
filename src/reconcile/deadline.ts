import { ProviderError } from '../errors/index.js';
import type { Provider, Scope } from '../providers/types.js';

/** How long a target may take to answer a question (live, plan, health, scopes) before it counts as not answering. */
export const TARGET_CALL_TIMEOUT_MS = 30_000;

/** How long a target may take to answer, per kind of call; `start` connects and discovers, so it gets longer. */
export interface TargetTimeouts {
  callMs?: number;
  startMs?: number;
}

/**
 * Rejects with a transient TARGET_TIMEOUT when `work` has not settled after `ms`. The call
 * itself may go on in the provider; the controller stops waiting for it, so a hung target
 * cannot hold a scope, the status or a CLI request.
 */
export function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  onTimeout?: (e: ProviderError) => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e = new ProviderError('TARGET_TIMEOUT', `${what} timed out: no answer within ${Math.round(ms / 1000)}s`, {
        hint: 'The target is hanging or overloaded; Sluice keeps retrying. Check that it is up and reachable.',
        retry: true,
      });
      onTimeout?.(e);
      reject(e);
    }, ms);
    timer.unref?.();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The provider with a deadline on every call that only reads or plans. `apply` gets its
 * deadline from the environment (a rolling update waits for each replica), so the runner sets it.
 */
export function bounded(p: Provider, timeouts: TargetTimeouts = {}): Provider {
  const ms = timeouts.callMs ?? TARGET_CALL_TIMEOUT_MS;
  const startMs = timeouts.startMs ?? Math.max(ms, 60_000);
  const what = (op: string) => `${p.kind} target (${op})`;
  return {
    kind: p.kind,
    accepts: (r) => p.accepts(r),
    ...(p.validate ? { validate: (r: Parameters<NonNullable<Provider['validate']>>[0]) => p.validate!(r) } : {}),
    start: () => withDeadline(p.start(), startMs, what('start')),
    live: (scope) => withDeadline(p.live(scope), ms, what('live')),
    plan: (scope, desired, options) => withDeadline(p.plan(scope, desired, options), ms, what('plan')),
    apply: (scope, desired, options) => p.apply(scope, desired, options),
    health: (scope) => withDeadline(p.health(scope), ms, what('health')),
    ...(p.liveStamp ? { liveStamp: () => withDeadline(p.liveStamp!(), ms, what('liveStamp')) } : {}),
    scopes: () => withDeadline(p.scopes(), ms, what('scopes')),
    destroy: (scope, options) => withDeadline(p.destroy(scope, options), Math.max(4 * ms, 120_000), what('destroy')),
    ...(p.workloads ? { workloads: (scope: Scope) => withDeadline(p.workloads!(scope), ms, what('workloads')) } : {}),
    ...(p.outdated ? { outdated: () => p.outdated!() } : {}),
    onEvent: (l) => p.onEvent(l),
    close: (o) => p.close(o),
  };
}
