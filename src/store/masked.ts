import type { Store } from './types.js';

/**
 * The store with every argument of every write (and of the ledger's) passed through `mask`
 * first: whatever part of Sluice records a sync, an event or a ledger entry, a secret value in
 * it reaches the database as a fingerprint. Reads are left alone; what they return was masked
 * when it was written.
 */
export function maskedStore(store: Store, mask: <T>(value: T) => T): Store {
  return wrap(store, mask);
}

function wrap<T extends object>(target: T, mask: <V>(value: V) => V): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const v: unknown = Reflect.get(t, prop, receiver);
      if ((prop === 'ledger' || prop === 'holds' || prop === 'audit') && v && typeof v === 'object')
        return wrap(v, mask);
      // Writes made inside a transaction are masked like any other.
      if (prop === 'transaction' && typeof v === 'function') {
        return (fn: (tx: Store) => Promise<unknown>) => (v as Store['transaction']).call(t, (tx) => fn(wrap(tx, mask)));
      }
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => (v as (...a: unknown[]) => unknown).apply(t, args.map(mask));
    },
  });
}
