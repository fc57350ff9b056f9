import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerRoutes } from '../../src/server/routes/index.js';
import type { ChainVerdict } from '../../src/store/index.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { sealExisting } from '../../src/store/sqlite/ledger-chain.js';
import { migrations } from '../../src/store/sqlite/migrations.js';
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

  it('passes a ledger written partly before gates were kept on a change and partly after', async () => {
    // A database as a Sluice without migration 12 left it: two chained entries, no gates column.
    const path = join(dir, 'before-gates.db');
    const db = new Database(path);
    db.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    for (const m of migrations.filter((m) => m.version <= 11)) {
      db.exec(m.sql);
      m.run?.(db);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    }
    const insert = db.prepare(
      `INSERT INTO ledger_changes (project, app, env, revision, action, subject, author, committed_at, artifacts, recorded_at)
       VALUES ('shop', 'hello', 'staging', ?, 'promote', ?, 'ana', ?, '[]', ?)`,
    );
    for (let i = 1; i <= 2; i++)
      insert.run(`old${i}`, `old ${i}`, `2025-01-0${i}T00:00:00Z`, `2025-01-0${i}T00:00:00Z`);
    sealExisting(db);
    db.close();

    const upgraded = new SqliteStore(path);
    const server = Fastify();
    try {
      await upgraded.ledger.recordChange({
        project: 'shop',
        app: 'hello',
        env: 'staging',
        revision: 'new1',
        action: 'promote',
        subject: 'new 1',
        author: 'ana',
        committedAt: '2025-01-03T00:00:00Z',
        artifacts: [],
        gates: [{ gate: 'metric', name: 'err', passed: true, message: 'err: 0 < 0.05', query: 'err', value: 0 }],
      });
      ledgerRoutes(upgraded, () => 'shop')(server);
      const at = await server.listen({ port: 0, host: '127.0.0.1' });
      const r = await runSluice(['--server', at, 'ledger', 'verify', '-o', 'json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout) as ChainVerdict).toMatchObject({ ok: true, entries: 3 });
    } finally {
      await server.close();
      await upgraded.close();
    }
  });
});
