import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../ledger-chain.js';
import type { NewChange } from '../ledger-types.js';
import { migrations } from './migrations.js';
import { SqliteStore } from './index.js';
import { sealExisting } from './ledger-chain.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDb(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-chain-'));
  dirs.push(d);
  return join(d, 'sluice.db');
}

const change = (n: number): NewChange => ({
  project: 'shop',
  app: 'hello',
  env: n % 2 ? 'dev' : 'prod',
  revision: `${n}`.repeat(40).slice(0, 40),
  action: 'commit',
  subject: `change ${n}`,
  author: 'ana <ana@example.com>',
  committedAt: new Date(Date.UTC(2026, 0, n)).toISOString(),
  artifacts: [{ kind: 'image', name: 'hello', ref: 'ghcr.io/acme/hello', digest: `sha256:${'a'.repeat(64)}` }],
});

async function ledgerOf(path: string, n: number): Promise<void> {
  const s = new SqliteStore(path);
  for (let i = 1; i <= n; i++) await s.ledger.recordChange(change(i));
  await s.close();
}

/** Opens the file the way someone editing it by hand would: a second connection, no Sluice code. */
function byHand(path: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  db.prepare(sql).run(...params);
  db.close();
}

async function verdict(path: string) {
  const s = new SqliteStore(path);
  const { entries, head } = await s.ledgerChain.readChain();
  await s.close();
  return verifyChain(entries, head);
}

describe('the ledger hash chain', () => {
  it('links every entry to the one before and verifies an untouched ledger', async () => {
    const path = tempDb();
    await ledgerOf(path, 4);
    const s = new SqliteStore(path);
    await s.ledger.recordChange(change(2)); // recorded twice: still one entry, chain unchanged
    const { entries } = await s.ledgerChain.readChain();
    await s.close();
    expect(entries).toHaveLength(4);
    entries.slice(1).forEach((e, i) => expect(e.prevHash).toBe(entries[i]!.hash));
    expect(await verdict(path)).toMatchObject({ ok: true, entries: 4, head: entries[3]!.hash });
  });

  it('names an entry whose column was edited by hand', async () => {
    const path = tempDb();
    await ledgerOf(path, 4);
    byHand(path, "UPDATE ledger_changes SET author = 'carol <carol@example.com>' WHERE id = 2");
    const v = await verdict(path);
    expect(v.ok).toBe(false);
    expect(v.problem).toMatchObject({ kind: 'altered', id: 2 });
    expect(v.problem!.message).toContain('ledger entry 2');
  });

  it('names an entry edited together with a recomputed hash of its own', async () => {
    const path = tempDb();
    await ledgerOf(path, 4);
    // Whoever edits entry 2 and rewrites its hash still breaks the link entry 3 holds.
    const s = new SqliteStore(path);
    const { entries } = await s.ledgerChain.readChain();
    await s.close();
    const { chainHash } = await import('../ledger-chain.js');
    const forged = { ...entries[1]!.change, subject: 'nothing to see' };
    byHand(
      path,
      'UPDATE ledger_changes SET subject = ?, hash = ? WHERE id = 2',
      forged.subject,
      chainHash(forged, entries[1]!.prevHash!),
    );
    expect((await verdict(path)).problem).toMatchObject({ kind: 'altered', id: 2 });
  });

  it('names an entry deleted from the middle and from the end', async () => {
    const path = tempDb();
    await ledgerOf(path, 4);
    byHand(path, 'DELETE FROM ledger_changes WHERE id = 2');
    expect((await verdict(path)).problem).toMatchObject({ kind: 'removed', id: 3, removedIds: [2] });

    const tail = tempDb();
    await ledgerOf(tail, 4);
    byHand(tail, 'DELETE FROM ledger_changes WHERE id = 4');
    expect((await verdict(tail)).problem).toMatchObject({ kind: 'removed', id: 4, removedIds: [4] });
  });

  it('names an entry whose hash was erased, and never seals it again', async () => {
    const path = tempDb();
    await ledgerOf(path, 3);
    byHand(path, 'UPDATE ledger_changes SET hash = NULL, prev_hash = NULL, subject = ? WHERE id = 3', 'rewritten');
    const s = new SqliteStore(path);
    await s.ledger.recordChange(change(4));
    await s.close();
    expect((await verdict(path)).problem).toMatchObject({ kind: 'unchained', id: 3 });
  });

  it('chains the entries recorded before the chain existed, in order, when migrating', async () => {
    const path = tempDb();
    const db = new Database(path);
    db.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    for (const m of migrations.filter((m) => m.version <= 3)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    }
    const insert = db.prepare(
      `INSERT INTO ledger_changes (project, app, env, revision, action, subject, author, committed_at, artifacts, recorded_at)
       VALUES ('shop', 'hello', 'dev', ?, 'commit', ?, 'ana', ?, '[]', ?)`,
    );
    for (let i = 1; i <= 3; i++)
      insert.run(`rev${i}`, `old change ${i}`, `2025-01-0${i}T00:00:00Z`, `2025-01-0${i}T00:00:00Z`);
    db.close();

    const s = new SqliteStore(path);
    expect(await s.schemaVersion()).toBeGreaterThanOrEqual(6);
    await s.ledger.recordChange(change(1));
    const { entries, head } = await s.ledgerChain.readChain();
    await s.close();
    expect(entries.map((e) => e.change.subject)).toEqual(['old change 1', 'old change 2', 'old change 3', 'change 1']);
    expect(verifyChain(entries, head)).toMatchObject({ ok: true, entries: 4 });
    byHand(path, "UPDATE ledger_changes SET subject = 'edited' WHERE id = 1");
    expect((await verdict(path)).problem).toMatchObject({ kind: 'altered', id: 1 });
  });
});

describe('the ledger hash chain across migration 12 (gates on a change)', () => {
  it('keeps the hashes of entries written before gates were kept, and verifies old and new entries together', async () => {
    const path = tempDb();
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
       VALUES ('shop', 'hello', 'dev', ?, 'promote', ?, 'ana', ?, '[]', ?)`,
    );
    for (let i = 1; i <= 2; i++)
      insert.run(`rev${i}`, `old change ${i}`, `2025-01-0${i}T00:00:00Z`, `2025-01-0${i}T00:00:00Z`);
    sealExisting(db);
    const before = db.prepare('SELECT id, hash FROM ledger_changes ORDER BY id').all();
    db.close();

    const s = new SqliteStore(path);
    expect(await s.schemaVersion()).toBeGreaterThanOrEqual(12);
    const gates = [
      {
        gate: 'metric' as const,
        name: 'err',
        passed: true,
        message: 'err: 0 < 0.05',
        query: 'err{env="dev"}',
        value: 0,
      },
    ];
    await s.ledger.recordChange({ ...change(3), gates });
    const { entries, head } = await s.ledgerChain.readChain();
    await s.close();
    expect(entries.slice(0, 2).map((e) => ({ id: e.change.id, hash: e.hash }))).toEqual(before);
    expect(entries[2]!.change.gates).toEqual(gates);
    expect(verifyChain(entries, head)).toMatchObject({ ok: true, entries: 3 });

    // The gates are sealed with the entry: editing the recorded value breaks the chain there.
    byHand(path, 'UPDATE ledger_changes SET gates = replace(gates, \'"value":0\', \'"value":0.01\') WHERE id = 3');
    expect((await verdict(path)).problem).toMatchObject({ kind: 'altered', id: 3 });
  });
});
