import type Database from 'better-sqlite3';
import { chainHash, GENESIS_HASH, type ChainedChange, type ChainHead } from '../ledger-chain.js';
import type { LedgerChainStore } from '../ledger-chain-types.js';
import { toChange, type Row } from '../ledger-rows.js';

/** The stored hash of the entry before `id`, or the genesis hash for the first. */
function previousHash(db: Database.Database, id: number): string {
  const row = db.prepare('SELECT hash FROM ledger_changes WHERE id < ? ORDER BY id DESC LIMIT 1').get(id) as
    { hash: string | null } | undefined;
  return row?.hash ?? GENESIS_HASH;
}

/**
 * Links one newly inserted entry to the one before it. Called in the transaction that
 * inserted it, and only for it: an entry whose hash was erased later is never sealed again.
 */
export function sealEntry(db: Database.Database, id: number): void {
  const row = db.prepare('SELECT * FROM ledger_changes WHERE id = ?').get(id) as Row;
  const prev = previousHash(db, id);
  const hash = chainHash(toChange(row), prev);
  db.prepare('UPDATE ledger_changes SET prev_hash = ?, hash = ? WHERE id = ?').run(prev, hash, id);
  db.prepare('INSERT OR REPLACE INTO ledger_chain_head (one, id, hash) VALUES (1, ?, ?)').run(id, hash);
}

/** Chains every entry recorded before the chain existed, oldest first (a migration). */
export function sealExisting(db: Database.Database): void {
  const ids = db.prepare('SELECT id FROM ledger_changes WHERE hash IS NULL ORDER BY id').all() as { id: number }[];
  for (const { id } of ids) sealEntry(db, id);
}

export class SqliteLedgerChain implements LedgerChainStore {
  constructor(private readonly db: Database.Database) {}

  async readChain(): Promise<{ entries: ChainedChange[]; head?: ChainHead }> {
    const read = this.db.transaction(() => ({
      rows: this.db.prepare('SELECT * FROM ledger_changes ORDER BY id').all() as Row[],
      head: this.db.prepare('SELECT id, hash FROM ledger_chain_head').get() as ChainHead | undefined,
    }));
    const { rows, head } = read();
    return {
      entries: rows.map((r) => ({
        change: toChange(r),
        prevHash: (r.prev_hash as string | null) ?? null,
        hash: (r.hash as string | null) ?? null,
      })),
      ...(head ? { head } : {}),
    };
  }
}
