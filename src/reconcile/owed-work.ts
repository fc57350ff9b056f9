import type { ScopeEvent } from './scope-machine.js';

type Owed = Extract<ScopeEvent, { type: 'revision' } | { type: 'retry-due' }>;

/**
 * Work a replica dropped because, at that moment, it could not trust its lease on the scope:
 * a lease round that ran late (thousands of scopes, a slow store) leaves a scope it still holds
 * untrusted for a while, and the revision or retry that came meanwhile must not be lost with
 * it, or the scope would sit unsynced until the next commit. Kept per scope, newest revision
 * first; handed back once the scope is trusted again.
 */
export class OwedWork {
  private readonly owed = new Map<string, Owed>();

  /** Keeps what a scope was not allowed to act on; a revision outranks a retry. */
  note(key: string, event: ScopeEvent): void {
    if (event.type !== 'revision' && event.type !== 'retry-due') return;
    if (event.type === 'retry-due' && this.owed.get(key)?.type === 'revision') return;
    this.owed.set(key, event);
  }

  /** Forgets a scope (its lease moved, or it was taken anew and synced from scratch). */
  forget(key: string): void {
    this.owed.delete(key);
  }

  /** The owed work of every scope `trusted` says may act now, taken out. */
  take(trusted: (key: string) => boolean): [string, Owed][] {
    const out: [string, Owed][] = [];
    for (const [key, event] of this.owed) {
      if (!trusted(key)) continue;
      this.owed.delete(key);
      out.push([key, event]);
    }
    return out;
  }

  get size(): number {
    return this.owed.size;
  }
}
