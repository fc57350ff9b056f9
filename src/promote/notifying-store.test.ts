import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import type { Store, SyncTrigger } from '../store/types.js';
import { notifyingStore } from './notifying-store.js';
import type { NotificationEvent } from './types.js';

let dir: string;
let base: Store;
let store: Store;
let sent: NotificationEvent[];
const flush = () => new Promise((r) => setImmediate(r));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-notifying-'));
  sent = [];
  base = openStore(dir);
  store = notifyingStore(base, (e) => void sent.push(e));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One sync of hello in prod as the sync runner records it, with its sync.failed event when it fails. */
async function sync(revision: string, ok: boolean, trigger: SyncTrigger = 'revision', by = store): Promise<void> {
  const s = await by.startSync({
    project: 'shop',
    app: 'hello',
    env: 'prod',
    revision,
    trigger,
    reason: '',
    dryRun: false,
    startedAt: new Date().toISOString(),
  });
  if (ok) {
    await by.finishSync(s.id, { result: 'Succeeded', health: 'Healthy', timings: {} });
    return;
  }
  const error = { code: 'PROVIDER_APPLY', message: 'apply failed: port 8080 in use', hint: 'free the port' };
  await by.finishSync(s.id, { result: 'Failed', error, timings: {} });
  await by.addEvent({
    project: 'shop',
    app: 'hello',
    env: 'prod',
    type: 'sync.failed',
    severity: 'error',
    message: `sync of ${revision} failed: ${error.message}`,
    syncId: s.id,
  });
}

describe('sync.failed notifications', () => {
  it('carry the revision, the sync and its error', async () => {
    await sync('a'.repeat(40), false);
    await flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: 'sync.failed',
      app: 'hello',
      env: 'prod',
      revision: 'a'.repeat(40),
      syncId: 1,
      trigger: 'revision',
      error: { code: 'PROVIDER_APPLY', message: 'apply failed: port 8080 in use', hint: 'free the port' },
    });
  });

  it('are sent once per failure episode, not on every retry', async () => {
    await sync('a'.repeat(40), false);
    await sync('a'.repeat(40), false, 'retry');
    await sync('a'.repeat(40), false, 'retry');
    await flush();
    expect(sent).toHaveLength(1);
    // every retry is still recorded
    expect(await store.listEvents({ type: 'sync.failed' })).toHaveLength(3);
    // a new revision failing is news; a success ends the episode, and the next failure is told again
    await sync('b'.repeat(40), false);
    await sync('b'.repeat(40), true, 'retry');
    await sync('b'.repeat(40), false, 'drift');
    await flush();
    expect(sent.map((e) => [e.revision?.[0], e.trigger])).toEqual([
      ['a', 'revision'],
      ['b', 'revision'],
      ['b', 'drift'],
    ]);
  });

  // The episode is the scope's history in the store, not a controller's memory: a controller
  // that starts again, or another replica that takes the scope over, continues it.
  it('are not told again by a restarted controller or the replica that takes the scope over', async () => {
    await sync('a'.repeat(40), false);
    const restarted = notifyingStore(base, (e) => void sent.push(e));
    await sync('a'.repeat(40), false, 'startup', restarted);
    await sync('a'.repeat(40), false, 'retry', restarted);
    await flush();
    expect(sent).toHaveLength(1);
    await sync('b'.repeat(40), false, 'revision', restarted);
    await flush();
    expect(sent.map((e) => e.revision?.[0])).toEqual(['a', 'b']);
  });

  it('tell the first failure after a sync a killed controller left running', async () => {
    await sync('a'.repeat(40), false);
    await store.startSync({
      project: 'shop',
      app: 'hello',
      env: 'prod',
      revision: 'b'.repeat(40),
      trigger: 'revision',
      reason: '',
      dryRun: false,
      startedAt: new Date().toISOString(),
    });
    // Marked failed on restart, and told to nobody: the sync that runs next is the news.
    expect(await store.abandonRunningSyncs('the controller stopped while this sync ran')).toBe(1);
    await sync('b'.repeat(40), false, 'startup');
    await flush();
    expect(sent.map((e) => [e.revision?.[0], e.trigger])).toEqual([
      ['a', 'revision'],
      ['b', 'startup'],
    ]);
  });
});
