import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite/index.js';
import { maskedStore } from './masked.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const secret = 'tok-\u0000-canary-7781';
// A stand-in masker: the store must hand every write to it, whatever the value's shape.
const mask = <T>(v: T): T => JSON.parse(JSON.stringify(v).replaceAll('tok-\\u0000-canary-7781', 'FP')) as T;

describe('maskedStore', () => {
  it('passes syncs and events through the masker before they reach the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-masked-'));
    dirs.push(dir);
    const inner = new SqliteStore(join(dir, 'sluice.db'));
    const s = maskedStore(inner, mask);
    const sync = await s.startSync({
      project: 'shop',
      app: 'hello',
      env: 'dev',
      revision: 'abc',
      trigger: 'revision',
      reason: `args changed to --token=${secret}`,
      dryRun: false,
      startedAt: new Date().toISOString(),
    });
    await s.finishSync(sync.id, {
      result: 'Failed',
      error: { code: 'SPAWN', message: `cannot start ${secret}` },
      timings: {},
    });
    await s.addEvent({ project: 'shop', type: 'sync.failed', severity: 'error', message: `failed: ${secret}` });
    const [stored] = await s.listSyncs({ project: 'shop' });
    expect(stored!.reason).toBe('args changed to --token=FP');
    expect(stored!.error?.message).toBe('cannot start FP');
    expect((await s.listEvents({ project: 'shop' }))[0]!.message).toBe('failed: FP');
    await s.close();
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).includes('canary-7781'), f).toBe(false);
  });
});
