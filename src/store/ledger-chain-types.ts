import type { ChangeRecord } from './ledger-types.js';

/** One ledger change as stored, with its link in the chain (null when a row has none). */
export interface ChainedChange {
  change: ChangeRecord;
  prevHash: string | null;
  hash: string | null;
}

export type ChainProblemKind = 'altered' | 'removed' | 'unchained';

/** The first place the chain does not hold. */
export interface ChainProblem {
  kind: ChainProblemKind;
  /** The entry that was altered, or (for `removed`) the entry that follows the gap. */
  id: number;
  /** Ids missing before `id`, when the ids say which (entries are numbered without gaps). */
  removedIds?: number[];
  /** What differs, in words. */
  message: string;
  expected: string;
  found: string;
}

export interface ChainVerdict {
  ok: boolean;
  /** Entries walked. */
  entries: number;
  /** Hash of the last entry: record it elsewhere to notice a rewritten chain later. */
  head: string;
  problem?: ChainProblem;
}

/** The last link the store wrote, kept apart from the entries so an entry removed from the end is noticed. */
export interface ChainHead {
  id: number;
  hash: string;
}

/** Read access to the ledger's hash chain; part of every Store as `store.ledgerChain`. */
export interface LedgerChainStore {
  /**
   * Every ledger change with its link, by id, oldest first, and the last link written (absent
   * while the ledger is empty).
   */
  readChain(): Promise<{ entries: ChainedChange[]; head?: ChainHead }>;
}
