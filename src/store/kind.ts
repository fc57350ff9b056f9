import type { Store, StoreOptions } from './types.js';

/** One kind of store, registered in src/store/registry.ts. */
export interface StoreKind {
  name: string;
  /** How a location of this kind is written, for help and errors. */
  example: string;
  /** Whether `location` (a --store / SLUICE_STORE value) names a store of this kind. */
  accepts(location: string): boolean;
  open(location: string, options: StoreOptions): Store;
}
