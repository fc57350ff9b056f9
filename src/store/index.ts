export type * from './types.js';
export type * from './ledger-types.js';
export type * from './access-types.js';
export type * from './audit-types.js';
export { SqliteStore } from './sqlite/index.js';
import { join } from 'node:path';
import { SqliteStore } from './sqlite/index.js';
import type { Store } from './types.js';

/** Opens the default store for a data directory. */
export function openStore(dataDir: string): Store {
  return new SqliteStore(join(dataDir, 'sluice.db'));
}
export { maskedStore } from './masked.js';
