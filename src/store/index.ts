export type * from './types.js';
export type * from './ledger-types.js';
export { StoreConflictError, StoreLocationError, StoreUnavailableError } from './errors.js';
export { openStore } from './registry.js';
export { maskedStore } from './masked.js';
