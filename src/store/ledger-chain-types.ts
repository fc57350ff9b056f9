import type { ChainedChange, ChainHead } from './ledger-chain.js';

/** Read access to the ledger's hash chain; part of every Store as `store.ledgerChain`. */
export interface LedgerChainStore {
  /**
   * Every ledger change with its link, by id, oldest first, and the last link written (absent
   * while the ledger is empty).
   */
  readChain(): Promise<{ entries: ChainedChange[]; head?: ChainHead }>;
}
