import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance, commit, git, initRepo, tempDir } from './test-support.js';
import { Source } from './source.js';
import { watchDirs } from './watch.js';

const tmp = tempDir();
const repo = join(tmp.path, 'config');

beforeAll(() => {
  initRepo(repo);
  commit(repo, { 'sluice.yaml': 'kind: Project\n' }, 'First');
});

afterAll(() => tmp.remove());

async function watching(path: string, act: () => string): Promise<void> {
  const source = await Source.open({ path }, { dataDir: tmp.path });
  const seen: string[] = [];
  const w = source.watch((rev) => seen.push(rev));
  try {
    await expect.poll(() => seen.length, { timeout: 5_000 }).toBe(1);
    const started = Date.now();
    const next = act();
    await expect.poll(() => seen, { timeout: 5_000, interval: 20 }).toContain(next);
    // Ref watching should beat the 1 s poll fallback comfortably; allow slack for a busy machine.
    expect(Date.now() - started).toBeLessThan(5_000);
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
    let signals = 0;
    let reason = '';
    const w = watchDirs([join(tmp.path, 'does-not-exist')], () => signals++, {
      pollMs: 30,
      onFallback: (r) => (reason = r),
    });
    try {
      await expect.poll(() => signals, { timeout: 2_000 }).toBeGreaterThanOrEqual(2);
      expect(reason).toMatch(/ENOENT|no such file/i);
    } finally {
      w.close();
    }
  });
});
