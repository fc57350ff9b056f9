import { appendFileSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Layout } from './layout.js';
import { readProcessLogs, rotateIfLarge } from './logs.js';
import { processTarget } from './target.js';
import type { LogLine } from './logs.js';
import { scope, tempDataDir, waitFor } from './test-support/harness.js';

let dataDir: string;
let layout: Layout;

beforeEach(() => {
  dataDir = tempDataDir();
  layout = new Layout(dataDir);
  mkdirSync(layout.logDir(scope), { recursive: true });
});

afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('replica logs', () => {
  it('rotates by size, keeping N old files', () => {
    const log = layout.logFile(scope, 'web', 0);
    for (const gen of ['a', 'b', 'c']) {
      writeFileSync(log, `${gen}\n`.repeat(100));
      expect(rotateIfLarge(log, 50, 2)).toBe(true);
    }
    expect(readFileSync(`${log}.1`, 'utf8').startsWith('c')).toBe(true);
    expect(readFileSync(`${log}.2`, 'utf8').startsWith('b')).toBe(true);
    expect(() => readFileSync(`${log}.3`)).toThrow();
    expect(readFileSync(log, 'utf8')).toBe('');
    expect(rotateIfLarge(log, 50, 2)).toBe(false);
  });

  it('reads the last lines of one process or of all', async () => {
    writeFileSync(layout.logFile(scope, 'web', 0), 'one\ntwo\nthree\n');
    writeFileSync(layout.logFile(scope, 'web', 1), 'uno\n');
    writeFileSync(layout.logFile(scope, 'worker', 0), 'w\n');
    const read = async (opts: Parameters<typeof readProcessLogs>[2]) => {
      const out: LogLine[] = [];
      for await (const l of readProcessLogs(dataDir, scope, opts)) out.push(l);
      return out;
    };
    expect((await read({ process: 'web', tail: 2 })).map((l) => `${l.process}-${l.replica}: ${l.text}`)).toEqual([
      'web-0: two',
      'web-0: three',
      'web-1: uno',
    ]);
    expect(await read({})).toHaveLength(5);
  });

  it('follows new lines, across a rotation, until aborted', async () => {
    const log = layout.logFile(scope, 'web', 0);
    writeFileSync(log, 'old\n');
    const abort = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const l of readProcessLogs(dataDir, scope, {
        tail: 1,
        follow: true,
        signal: abort.signal,
        pollMs: 20,
      }))
        seen.push(l.text);
    })();
    await waitFor('old line', () => seen.includes('old'));
    appendFileSync(log, 'new 1\npart');
    await waitFor('new line', () => seen.includes('new 1'));
    appendFileSync(log, 'ial\n');
    await waitFor('joined partial line', () => seen.includes('partial'));
    truncateSync(log, 0);
    appendFileSync(log, 'after rotation\n');
    await waitFor('line after rotation', () => seen.includes('after rotation'));
    abort.abort();
    await done;
  });

  it('follows through the target kind, as `sluice logs --follow` asks it to', async () => {
    const log = layout.logFile(scope, 'web', 0);
    writeFileSync(log, 'first\n');
    const abort = new AbortController();
    const seen: { stream: string; text: string }[] = [];
    const done = (async () => {
      const lines = processTarget.readLogs!(
        dataDir,
        scope,
        { follow: true, signal: abort.signal },
        { provider: 'process' },
      );
      for await (const l of lines) seen.push(l);
    })();
    await waitFor('the line already there', () => seen.some((l) => l.text === 'first'));
    appendFileSync(log, 'written later\n');
    await waitFor('a line written while following', () => seen.some((l) => l.text === 'written later'));
    expect(seen.at(-1)).toEqual({ stream: 'web-0', text: 'written later' });
    abort.abort();
    await done;
  });
});
