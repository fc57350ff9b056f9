import type { NewEvent, Store } from '../store/types.js';
import type { Notify, NotificationType } from './types.js';

/** Store events that become notifications as they are recorded. */
const FORWARDED: Record<string, NotificationType> = {
  'sync.failed': 'sync.failed',
  'drift.detected': 'drift.detected',
};

/**
 * The controller records sync failures and drift as store events; wrapping its store forwards
 * those to the notifier without the reconciler knowing about notifications.
 */
export function notifyingStore(store: Store, notify: Notify): Store {
  const addEvent = async (e: NewEvent) => {
    const rec = await store.addEvent(e);
    const type = FORWARDED[e.type];
    // Not awaited: a notifier retrying a slow webhook must not hold up the controller.
    if (type) {
      void Promise.resolve()
        .then(() =>
          notify({
            type,
            project: e.project,
            ...(e.app ? { app: e.app } : {}),
            ...(e.env ? { env: e.env } : {}),
            message: e.message,
            time: rec.time,
          }),
        )
        .catch(() => undefined);
    }
    return rec;
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'addEvent') return addEvent;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
