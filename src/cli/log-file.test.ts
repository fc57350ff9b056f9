import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openLogFile } from './log-file.js';

async function until<T>(value: () => T | undefined): Promise<T> {
  for (;;) {
    const v = value();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the log file', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps Sluice up when its writes fail with a full disk', async () => {
    // Every write to /dev/full fails with ENOSPC, as on a full disk.
    const file = openLogFile('/dev/full');
    const log = pino(file.stream);
    log.info('one');
    log.info('two');
    expect(await until(() => file.failing())).toBe('ENOSPC');
    log.info('three');
    await new Promise((r) => setTimeout(r, 50));
    expect(file.failing()).toBe('ENOSPC');
  });

  it('writes what it held once the file takes writes again, and says so', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-log-'));
    const path = join(dir, 'sluice.log');
    const told: { error: string; dropped: number }[] = [];
    const file = openLogFile(path, (what) => told.push(what));
    const log = pino(file.stream);
    file.stream.emit('error', Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    expect(file.failing()).toBe('ENOSPC');
    log.info('after the disk had room again');
    await until(() => (told.length ? true : undefined));
    expect(told).toEqual([expect.objectContaining({ error: 'ENOSPC', dropped: 0 })]);
    expect(file.failing()).toBeUndefined();
    file.stream.flushSync();
    expect(readFileSync(path, 'utf8')).toContain('after the disk had room again');
  });
});
