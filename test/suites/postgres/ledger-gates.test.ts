import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { chainHash, GENESIS_HASH, verifyChain } from '../../../src/store/ledger-chain.js';
import { toChange, type Row } from '../../../src/store/ledger-rows.js';
import type { GateResult } from '../../../src/store/ledger-types.js';
import { PgStore } from '../../../src/store/postgres/index.js';
import { migrations } from '../../../src/store/postgres/migrations.js';
import { createDatabase, query, skip } from './helpers.js';

const stores: PgStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
});

/**
 * A database as Sluice left it before gates were kept on a change (migration 11): two ledger
 * entries chained the way the store chained them then. No Sluice code writes them, so nothing
 * written after migration 12 can have shaped their hashes.
 */
async function ledgerBeforeGates(url: string): Promise<{ id: number; hash: string }[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    for (const m of migrations.filter((m) => m.version <= 11)) {
      await c.query(m.sql);
      await c.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
    }
    let prev = GENESIS_HASH;
    const out: { id: number; hash: string }[] = [];
    for (let i = 1; i <= 2; i++) {
      const { rows } = await c.query<Row>(
        `INSERT INTO ledger_changes (project, app, env, revision, action, subject, author, committed_at, artifacts, recorded_at)
         VALUES ('shop', 'hello', 'staging', $1, 'promote', $2, 'ana', $3, '[]', $3) RETURNING *`,
        [`rev${i}`, `old change ${i}`, `2025-01-0${i}T00:00:00Z`],
      );
      const row = { ...rows[0]!, id: Number(rows[0]!.id) };
      const hash = chainHash(toChange(row), prev);
      await c.query('UPDATE ledger_changes SET prev_hash = $1, hash = $2 WHERE id = $3', [prev, hash, row.id]);
      await c.query(
        `INSERT INTO ledger_chain_head (one, id, hash) VALUES (1, $1, $2)
         ON CONFLICT (one) DO UPDATE SET id = EXCLUDED.id, hash = EXCLUDED.hash`,
        [row.id, hash],
      );
      out.push({ id: row.id as number, hash });
      prev = hash;
    }
    return out;
  } finally {
    await c.end();
  }
}

describe.skipIf(skip)('gates on a ledger change in PostgreSQL (migration 12)', () => {
  it('keeps the hashes of entries written before it, and verifies old and new entries together', async () => {
    const url = await createDatabase();
    const before = await ledgerBeforeGates(url);
    const s = PgStore.open(url);
    stores.push(s);
    const gates: GateResult[] = [
      { gate: 'metric', name: 'err', passed: true, message: 'err: 0 < 0.05', query: 'err{env="dev"}', value: 0 },
    ];
    await s.ledger.recordChange({
      project: 'shop',
      app: 'hello',
      env: 'staging',
      revision: 'rev3',
      action: 'promote',
      subject: 'new change',
      author: 'ana',
      committedAt: '2025-01-03T00:00:00Z',
      artifacts: [],
      gates,
    });
    const { entries, head } = await s.ledgerChain.readChain();
    expect(entries.slice(0, 2).map((e) => ({ id: e.change.id, hash: e.hash }))).toEqual(before);
    expect(entries[0]!.change).not.toHaveProperty('gates');
    expect(entries[2]!.change.gates).toEqual(gates);
    expect(verifyChain(entries, head)).toMatchObject({ ok: true, entries: 3 });

    // The gates are sealed with the entry: editing the recorded value breaks the chain there.
    await query(url, `UPDATE ledger_changes SET gates = replace(gates, '"value":0', '"value":0.01') WHERE id = 3`);
    const edited = await s.ledgerChain.readChain();
    expect(verifyChain(edited.entries, edited.head).problem).toMatchObject({ kind: 'altered', id: 3 });
  });
});
