import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from './migrations.js';
import { SqliteStore } from './index.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDb(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-store-'));
  dirs.push(d);
  return join(d, 'nested', 'sluice.db');
}

const base = {
  project: 'shop',
  app: 'hello',
  env: 'dev',
  revision: 'abc',
  trigger: 'revision' as const,
  reason: 'new revision',
  dryRun: false,
  startedAt: new Date().toISOString(),
};

describe('SqliteStore', () => {
  it('records a sync from start to finish and lists newest first per scope', async () => {
    const s = new SqliteStore(tempDb());
    const a = await s.startSync(base);
    expect(a.result).toBe('Running');
    await s.finishSync(a.id, {
      result: 'Succeeded',
      plan: { create: 1, update: 0, delete: 0, unchanged: 0 },
      health: 'Healthy',
      timings: { render: 3 },
    });
    const b = await s.startSync({ ...base, env: 'prod', trigger: 'manual', actor: 'ana' });
    await s.finishSync(b.id, {
      result: 'Failed',
      error: { code: 'RENDER', message: 'bad', file: 'x.yaml', line: 3 },
      timings: {},
    });
    const dev = await s.listSyncs({ env: 'dev' });
    expect(dev).toHaveLength(1);
    expect(dev[0]).toMatchObject({
      result: 'Succeeded',
      plan: { create: 1 },
      health: 'Healthy',
      timings: { render: 3 },
    });
    const all = await s.listSyncs();
    expect(all.map((r) => r.env)).toEqual(['prod', 'dev']);
    expect(all[0]).toMatchObject({ actor: 'ana', error: { file: 'x.yaml', line: 3 } });
    await s.close();
  });

  it('survives a reopen and marks syncs left running by a dead controller', async () => {
    const path = tempDb();
    const s1 = new SqliteStore(path);
    await s1.startSync(base);
    await s1.close();
    const s2 = new SqliteStore(path);
    expect(s2.schemaVersion()).toBe(migrations[migrations.length - 1]!.version);
    expect(await s2.abandonRunningSyncs('controller restarted')).toBe(1);
    expect((await s2.listSyncs())[0]).toMatchObject({ result: 'Failed', error: { code: 'SYNC_ABANDONED' } });
    await s2.close();
  });

  it('stores and filters events', async () => {
    const s = new SqliteStore(tempDb());
    await s.addEvent({
      project: 'shop',
      app: 'hello',
      env: 'dev',
      type: 'replica.exited',
      severity: 'warning',
      message: 'killed by SIGKILL',
      data: { pid: 1 },
    });
    await s.addEvent({ project: 'shop', type: 'source.unreachable', severity: 'error', message: 'down' });
    expect((await s.listEvents({ app: 'hello' })).map((e) => e.type)).toEqual(['replica.exited']);
    const all = await s.listEvents();
    expect(all[0]!.type).toBe('source.unreachable');
    expect(all[1]!.data).toEqual({ pid: 1 });
    expect((await s.listEvents({ sinceId: all[1]!.id })).length).toBe(1);
    await s.close();
  });
});
