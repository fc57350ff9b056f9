import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerRoutes } from '../../src/server/routes/index.js';
import type { ChainVerdict } from '../../src/store/index.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { runSluice } from '../support/sluice.js';

/**
 * `sluice ledger verify` over real HTTP against the ledger routes on a real SQLite file, which
 * the test then edits the way someone with access to the file would: a second connection.
 */
let dir: string;
let store: SqliteStore;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-ledger-verify-'));
  store = new SqliteStore(join(dir, 'sluice.db'));
  for (let i = 1; i <= 5; i++) {
    await store.ledger.recordChange({
      project: 'shop',
      app: 'hello',
      env: 'prod',
      revision: `${i}`.repeat(40),
      action: i === 3 ? 'rollback' : 'promote',
      subject: `change ${i}`,
      author: 'ana <ana@example.com>',
      committedAt: new Date(Date.UTC(2026, 1, i)).toISOString(),
      artifacts: [],
    });
  }
  app = Fastify();
  ledgerRoutes(store, () => 'shop')(app);
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const verify = (...args: string[]) => runSluice(['--server', url, 'ledger', 'verify', ...args]);

function byHand(sql: string): void {
  const db = new Database(join(dir, 'sluice.db'));
  db.exec(sql);
  db.close();
}

describe('sluice ledger verify', () => {
  it('passes an untouched ledger, then names a row edited and a row deleted by hand', async () => {
    const ok = await verify('--output', 'json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout) as ChainVerdict).toMatchObject({ ok: true, entries: 5 });

    byHand("UPDATE ledger_changes SET author = 'carol <carol@example.com>' WHERE id = 4");
    const edited = await verify();
    expect(edited.code).toBe(1);
    expect(edited.stdout).toContain('altered: ledger entry 4');

    byHand("UPDATE ledger_changes SET author = 'ana <ana@example.com>' WHERE id = 4");
    expect((await verify()).code).toBe(0);

    byHand('DELETE FROM ledger_changes WHERE id = 3');
    const removed = await verify('-o', 'json');
    expect(removed.code).toBe(1);
    expect((JSON.parse(removed.stdout) as ChainVerdict).problem).toMatchObject({
      kind: 'removed',
      id: 4,
      removedIds: [3],
    });
  });
});
