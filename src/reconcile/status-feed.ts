import type { AppEnvStatus } from './status.js';

/** What changed since the listener last heard: scopes whose view is new, and scopes gone. */
export interface StatusChange {
  apps: AppEnvStatus[];
  removed: { app: string; env: string }[];
}

export type StatusListener = (change: StatusChange) => void;

/**
 * Every scope's status view, kept current as the controller's machines move, so readers (the
 * API, the event stream) answer from memory instead of deriving 3,000 views per request.
 * Changes made in one turn of the event loop reach listeners as one batch.
 */
export class StatusFeed {
  private readonly views = new Map<string, AppEnvStatus>();
  private readonly listeners = new Set<StatusListener>();
  private pending = new Map<string, AppEnvStatus | { app: string; env: string; removed: true }>();
  private flushQueued = false;
  private changes = 0;

  /** Every view, in the order scopes were first seen (sluice.yaml's order). */
  all(): AppEnvStatus[] {
    return [...this.views.values()];
  }

  get size(): number {
    return this.views.size;
  }

  /** Rises with every change to any view: an answer built at one version holds until it moves. */
  get version(): number {
    return this.changes;
  }

  set(key: string, view: AppEnvStatus): void {
    const before = this.views.get(key);
    if (before && sameView(before, view)) return;
    this.views.set(key, view);
    this.changes++;
    this.queue(key, view);
  }

  delete(key: string): void {
    const before = this.views.get(key);
    if (!before) return;
    this.views.delete(key);
    this.changes++;
    this.queue(key, { app: before.app, env: before.env, removed: true });
  }

  /** Listens to changes until the returned function is called. */
  subscribe(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private queue(key: string, entry: AppEnvStatus | { app: string; env: string; removed: true }): void {
    if (this.listeners.size === 0) return;
    this.pending.set(key, entry);
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    const batch = this.pending;
    this.pending = new Map();
    if (batch.size === 0) return;
    const change: StatusChange = { apps: [], removed: [] };
    for (const v of batch.values()) {
      if ('removed' in v) change.removed.push({ app: v.app, env: v.env });
      else change.apps.push(v);
    }
    for (const l of this.listeners) l(change);
  }
}

// Views are small plain data: comparing their JSON is cheaper than sending an unchanged one.
function sameView(a: AppEnvStatus, b: AppEnvStatus): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
