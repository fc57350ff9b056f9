import type { Fence } from '../store/lease-types.js';
import type { NewEvent, Store, SyncFinish, SyncRecord } from '../store/types.js';
import type { NotificationEvent, Notify, NotificationType } from './types.js';

/** Store events that become notifications as they are recorded. */
const FORWARDED: Record<string, NotificationType> = {
  'sync.failed': 'sync.failed',
  'drift.detected': 'drift.detected',
};

const scopeKey = (s: { project: string; app?: string; env?: string }) => `${s.project}/${s.app ?? ''}@${s.env ?? ''}`;

/**
 * The controller records sync failures and drift as store events; wrapping its store forwards
 * those to the notifier without the reconciler knowing about notifications.
 *
 * A failed sync is told once per failure episode: retries of the same revision that fail again
 * are recorded as events but not sent; a successful sync of the scope ends the episode, and a
 * new revision that fails starts a new one. The notification carries the revision, the sync
 * and its typed error.
 */
export function notifyingStore(store: Store, notify: Notify): Store {
  /** Scopes failing now → the revision whose failure was told. */
  const failing = new Map<string, string>();
  return notifying(store, notify, failing);
}

function notifying(store: Store, notify: Notify, failing: Map<string, string>): Store {
  const addEvent = async (e: NewEvent) => {
    const rec = await store.addEvent(e);
    const type = FORWARDED[e.type];
    if (!type) return rec;
    const event: NotificationEvent = {
      type,
      project: e.project,
      ...(e.app ? { app: e.app } : {}),
      ...(e.env ? { env: e.env } : {}),
      message: e.message,
      time: rec.time,
      // Sluice noticed it; who caused it is in the revision's commit.
      actor: 'sluice',
    };
    if (type === 'sync.failed') {
      const sync = e.syncId !== undefined ? await store.getSync(e.syncId) : undefined;
      if (sync?.dryRun) return rec;
      if (sync) {
        if (failing.get(scopeKey(e)) === sync.revision) return rec;
        failing.set(scopeKey(e), sync.revision);
        Object.assign(event, syncFacts(sync));
      }
    }
    // Not awaited: a notifier retrying a slow webhook must not hold up the controller.
    void Promise.resolve()
      .then(() => notify(event))
      .catch(() => undefined);
    return rec;
  };
  const finishSync = async (id: number, finish: SyncFinish, fence?: Fence) => {
    const done = await store.finishSync(id, finish, fence);
    if (done.result === 'Succeeded' && !done.dryRun) failing.delete(scopeKey(done));
    return done;
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'addEvent') return addEvent;
      if (prop === 'finishSync') return finishSync;
      // Events written inside a transaction notify too.
      if (prop === 'transaction') {
        return <T>(fn: (tx: Store) => Promise<T>) => target.transaction((tx) => fn(notifying(tx, notify, failing)));
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

function syncFacts(sync: SyncRecord): Partial<NotificationEvent> {
  return {
    revision: sync.revision,
    syncId: sync.id,
    trigger: sync.trigger,
    ...(sync.error ? { error: sync.error } : {}),
  };
}
