export type * from './types.js';
export type * from './ledger-types.js';
export type * from './lease-types.js';
export { LeaseLostError, StoreConflictError, StoreLocationError, StoreUnavailableError } from './errors.js';
export { openStore } from './registry.js';
export { maskedStore } from './masked.js';
export type * from './ledger-chain-types.js';
export { verifyChain, type ChainVerdict, type ChainProblem, type ChainHead } from './ledger-chain.js';
export type * from './webhook-types.js';
