import type Database from 'better-sqlite3';

/**
 * One SQLite connection serves every caller in the process, so a transaction that awaits
 * between its statements would take in whatever other callers write meanwhile (and roll it
 * back with its own). Turns keep them apart: while a transaction is open, calls made from
 * outside it wait until it ends; the transaction's own calls go straight through.
 */
export class Turns {
  private open = false;
  private ended: Promise<void> = Promise.resolve();

  /**
   * Whether a caller from outside must wait, and for what. Callers loop on it and run their
   * first statement right after, in the same tick: awaiting anything in between would let a
   * transaction begin.
   */
  get busy(): Promise<void> | undefined {
    return this.open ? this.ended : undefined;
  }

  async transaction<T>(db: Database.Database, fn: () => Promise<T>): Promise<T> {
    for (let b = this.busy; b; b = this.busy) await b;
    let end!: () => void;
    this.ended = new Promise((r) => (end = r));
    this.open = true;
    try {
      // IMMEDIATE takes the write lock now, so another process cannot interleave a write and
      // make this transaction fail halfway with SQLITE_BUSY.
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn();
        db.exec('COMMIT');
        return result;
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw e;
      }
    } finally {
      this.open = false;
      end();
    }
  }
}

/**
 * `target` with every method waiting its turn first (and those of its parts: ledger, leases, heartbeats, ledgerChain, webhooks, holds, access, audit). The wait and the
 * method's first statement run in one go, so no transaction can begin between them.
 */
export function waitingTurns<T extends object>(target: T, turns: Turns): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const v: unknown = Reflect.get(t, prop, receiver);
      if (
        (prop === 'ledger' ||
          prop === 'leases' ||
          prop === 'heartbeats' ||
          prop === 'ledgerChain' ||
          prop === 'webhooks' ||
          prop === 'holds' ||
          prop === 'access' ||
          prop === 'audit') &&
        v &&
        typeof v === 'object'
      )
        return waitingTurns(v, turns);
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        for (let b = turns.busy; b; b = turns.busy) await b;
        return (v as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}
