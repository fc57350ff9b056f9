import type { NewEvent, Store, SyncRecord } from '../store/types.js';
import type { NotificationEvent, Notify, NotificationType } from './types.js';

/** Store events that become notifications as they are recorded. */
const FORWARDED: Record<string, NotificationType> = {
  'sync.failed': 'sync.failed',
  'drift.detected': 'drift.detected',
};

/**
 * The controller records sync failures and drift as store events; wrapping its store forwards
 * those to the notifier without the reconciler knowing about notifications.
 *
 * A failed sync is told once per failure episode: retries of the same revision that fail again
 * are recorded as events but not sent; a successful sync of the scope ends the episode, and a
 * new revision that fails starts a new one. The episode is read from the scope's syncs in the
 * store, so a restarted controller, or the replica that takes the scope over, continues it
 * instead of telling it again. The notification carries the revision, the sync and its typed
 * error.
 */
export function notifyingStore(store: Store, notify: Notify): Store {
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
        if (await toldBefore(store, sync)) return rec;
        Object.assign(event, syncFacts(sync));
      }
    }
    // Not awaited: a notifier retrying a slow webhook must not hold up the controller.
    void Promise.resolve()
      .then(() => notify(event))
      .catch(() => undefined);
    return rec;
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'addEvent') return addEvent;
      // Events written inside a transaction notify too.
      if (prop === 'transaction') {
        return <T>(fn: (tx: Store) => Promise<T>) => target.transaction((tx) => fn(notifyingStore(tx, notify)));
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * Whether the failure of `sync` continues an episode already told: the scope's last real sync
 * before it that ended one way or the other failed at the same revision. Syncs a killed
 * controller left running were marked failed without being told, so they do not count.
 */
async function toldBefore(store: Store, sync: SyncRecord): Promise<boolean> {
  const scope = { project: sync.project, app: sync.app, env: sync.env, dryRun: false };
  for (let beforeId = sync.id; ;) {
    const page = await store.listSyncs({ ...scope, beforeId, limit: 50 });
    const ended = page.find(
      (s) => s.result === 'Succeeded' || (s.result === 'Failed' && s.error?.code !== 'SYNC_ABANDONED'),
    );
    if (ended) return ended.result === 'Failed' && ended.revision === sync.revision;
    if (page.length < 50) return false;
    beforeId = page[page.length - 1]!.id;
  }
}

function syncFacts(sync: SyncRecord): Partial<NotificationEvent> {
  return {
    revision: sync.revision,
    syncId: sync.id,
    trigger: sync.trigger,
    ...(sync.error ? { error: sync.error } : {}),
  };
}
