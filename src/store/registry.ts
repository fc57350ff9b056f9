import type { StoreKind } from './kind.js';
import { StoreLocationError } from './errors.js';
import { postgresKind } from './postgres/kind.js';
import { sqliteKind } from './sqlite/kind.js';
import type { Store, StoreOptions } from './types.js';

/** Every kind of store; the first that accepts a location opens it. */
const kinds: readonly StoreKind[] = [sqliteKind, postgresKind];

/**
 * Opens the store a location names (`--store` / `SLUICE_STORE`): none for SQLite in the data
 * directory, `sqlite:<file>`, or `postgres://…`.
 */
export function openStore(dataDir: string, options: { location?: string; instance?: string } = {}): Store {
  const location = options.location?.trim() ?? '';
  const kind = kinds.find((k) => k.accepts(location));
  if (!kind) {
    throw new StoreLocationError('STORE_LOCATION', `no kind of store is at "${redact(location)}"`, {
      hint: `Give --store (or SLUICE_STORE) as one of: ${kinds.map((k) => k.example).join(', ')}; leave it unset for SQLite in the data directory.`,
    });
  }
  const opts: StoreOptions = { dataDir, ...(options.instance ? { instance: options.instance } : {}) };
  return kind.open(location, opts);
}

/** A location as it may be shown: without whatever follows a `user:` before an `@`. */
function redact(location: string): string {
  return location.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
