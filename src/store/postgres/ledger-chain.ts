import type { ChainHead } from '../ledger-chain.js';
import type { LedgerChainStore } from '../ledger-chain-types.js';
import { toChange, type Row } from '../ledger-rows.js';
import type { PgDb } from './db.js';

/** The ledger's hash chain as stored in PostgreSQL (migration 6); entries are sealed in ledger.ts. */
export class PgLedgerChain implements LedgerChainStore {
  constructor(private readonly db: PgDb) {}

  async readChain(): Promise<Awaited<ReturnType<LedgerChainStore['readChain']>>> {
    // One snapshot: entries and head as of the same moment.
    return this.db.locked('0', async (db) => {
      const rows = await db.rows<Row>('SELECT * FROM ledger_changes ORDER BY id');
      const head = await db.one<{ id: number; hash: string }>('SELECT id, hash FROM ledger_chain_head');
      return {
        entries: rows.map((r) => ({
          change: toChange(r),
          prevHash: (r.prev_hash as string | null) ?? null,
          hash: (r.hash as string | null) ?? null,
        })),
        ...(head ? { head: { id: Number(head.id), hash: head.hash } satisfies ChainHead } : {}),
      };
    });
  }
}
