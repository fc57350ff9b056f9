import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storeSuite } from '../test-support/suite.js';
import { migrations } from './migrations.js';
import { SqliteStore } from './index.js';

const dirs: string[] = [];
afterAll(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDb(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-store-'));
  dirs.push(d);
  return join(d, 'nested', 'sluice.db');
}

storeSuite('SQLite', {
  async database() {
    const path = tempDb();
    return { open: (instance) => new SqliteStore(path, instance ? { instance } : {}) };
  },
});

describe('SqliteStore', () => {
  it('records every migration it applied', async () => {
    const s = new SqliteStore(tempDb());
    expect(await s.schemaVersion()).toBe(migrations[migrations.length - 1]!.version);
    await s.close();
  });
});
