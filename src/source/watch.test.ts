import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { advance, commit, git, initRepo, tempDir } from './test-support.js';
import { Source } from './source.js';
import type { SourceLog } from './types.js';
import { watchDirs } from './watch.js';

const tmp = tempDir();
const repo = join(tmp.path, 'config');

// Far longer than any test may run: a revision seen in these tests came from the ref watch.
const NEVER = 24 * 3_600_000;

beforeAll(() => {
  initRepo(repo);
  commit(repo, { 'sluice.yaml': 'kind: Project\n' }, 'First');
});

afterAll(() => tmp.remove());

afterEach(() => {
  vi.useRealTimers();
});

/** Revisions as they are reported, and a way to wait for a given one. */
function revisions() {
  const seen: string[] = [];
  const waiting = new Map<string, () => void>();
  return {
    seen,
    push(rev: string) {
      seen.push(rev);
      waiting.get(rev)?.();
    },
    until(rev: string): Promise<void> {
      if (seen.includes(rev)) return Promise.resolve();
      return new Promise((resolve) => waiting.set(rev, resolve));
    },
  };
}

async function watching(path: string, act: () => string): Promise<void> {
  const warnings: string[] = [];
  const log: SourceLog = {
    debug() {},
    info() {},
    warn: (data, msg) => warnings.push(`${msg} ${JSON.stringify(data)}`),
  };
  const source = await Source.open(
    { path },
    { dataDir: tmp.path, log, localPoll: { pollMs: NEVER, safetyPollMs: NEVER } },
  );
  const revs = revisions();
  const w = source.watch((rev) => revs.push(rev));
  try {
    // The first revision is read when watching starts, not waited for.
    await revs.until(git(path, 'rev-parse', 'HEAD'));
    const next = act();
    await revs.until(next);
    expect(warnings).toEqual([]); // the watch did not fall back to (never-firing) polling
    expect(revs.seen.at(-1)).toBe(next);
  } finally {
    w.close();
    source.close();
  }
}

describe('watching a local repository', () => {
  it('sees a new commit on the branch', async () => {
    await watching(repo, () => commit(repo, { 'a.txt': '1\n' }, 'Second'));
  });

  it('sees a branch moved by update-ref alone', async () => {
    await watching(repo, () => advance(repo, 'main'));
  });

  it('sees a branch that moves while refs are packed', async () => {
    git(repo, 'pack-refs', '--all');
    await watching(repo, () => {
      const target = commit(repo, { 'b.txt': '1\n' }, 'Third');
      git(repo, 'pack-refs', '--all');
      return target;
    });
  });

  it('follows a linked worktree, whose .git is a file', async () => {
    const wt = join(tmp.path, 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'feature/x', wt);
    await watching(wt, () => commit(wt, { 'c.txt': '1\n' }, 'On the worktree branch'));
    await watching(wt, () => advance(wt, 'feature/x'));
  });

  it('falls back to polling when a directory cannot be watched', async () => {
    vi.useFakeTimers();
    let signals = 0;
    let reason = '';
    const w = watchDirs([join(tmp.path, 'does-not-exist')], () => signals++, {
      pollMs: 30,
      debounceMs: 5,
      onFallback: (r) => (reason = r),
    });
    try {
      expect(reason).toMatch(/ENOENT|no such file/i);
      await vi.advanceTimersByTimeAsync(34);
      expect(signals).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(signals).toBe(1);
      await vi.advanceTimersByTimeAsync(30);
      expect(signals).toBe(2);
    } finally {
      w.close();
    }
  });

  it('does not signal from its fallback poll while the watch works', async () => {
    vi.useFakeTimers();
    let signals = 0;
    const quiet = mkdtempSync(join(tmp.path, 'quiet-'));
    const w = watchDirs([quiet], () => signals++, { pollMs: 30, safetyPollMs: 1_000, debounceMs: 5 });
    try {
      await vi.advanceTimersByTimeAsync(999);
      expect(signals).toBe(0);
      await vi.advanceTimersByTimeAsync(10);
      expect(signals).toBe(1); // the slow safety poll
    } finally {
      w.close();
    }
  });
});
