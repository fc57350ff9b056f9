import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../errors/index.js';
import { commit, git, initRepo, tempDir } from './test-support.js';
import { Source } from './source.js';

const tmp = tempDir();
const repo = join(tmp.path, 'config');
const author = { name: 'Sluice', email: 'sluice@example.com' };
let source: Source;

beforeAll(async () => {
  initRepo(repo);
  commit(repo, { 'sluice.yaml': 'kind: Project\n', 'apps/web/overlays/dev/image.txt': 'web@sha256:aaa\n' }, 'First');
  source = await Source.open({ path: repo }, { dataDir: join(tmp.path, 'data') });
});

afterAll(() => {
  source.close();
  tmp.remove();
});

const text = async (rev: string, path: string) => new TextDecoder().decode(await source.readFile(rev, path));

describe('writing commits without a work tree', () => {
  it('commits additions, edits and deletions with a structured message', async () => {
    const before = await source.resolve('main');
    const statusBefore = git(repo, 'status', '--porcelain', '--untracked-files=no');
    const r = await source.commitFiles(
      [
        { path: 'apps/web/overlays/staging/image.txt', content: 'web@sha256:aaa\n' },
        { path: 'apps/web/overlays/dev/image.txt', content: 'web@sha256:bbb\n' },
        { path: 'run.sh', content: '#!/bin/sh\n', mode: 'executable' },
      ],
      {
        message: { subject: 'Promote web to staging', trailers: { 'Sluice-Promotion': 'dev->staging' } },
        author,
        expectedRevision: before,
      },
    );
    expect(r).toMatchObject({ parent: before, changed: true });
    expect(await source.resolve('main')).toBe(r.revision);
    expect(await text(r.revision, 'apps/web/overlays/staging/image.txt')).toBe('web@sha256:aaa\n');
    expect(git(repo, 'ls-tree', r.revision, 'run.sh')).toMatch(/^100755 /);
    const info = await source.commitInfo(r.revision);
    expect(info).toMatchObject({
      subject: 'Promote web to staging',
      trailers: [{ key: 'Sluice-Promotion', value: 'dev->staging' }],
      author: { name: 'Sluice' },
    });
    // The commit was written without the work tree; the checked-out copy then followed it.
    expect(git(repo, 'status', '--porcelain', '--untracked-files=no')).toBe(statusBefore);

    const del = await source.commitFiles([{ path: 'run.sh', content: null }], { message: 'Remove run.sh', author });
    expect(await source.changedPaths(r.revision, del.revision)).toEqual(['run.sh']);
  });

  it('writes nothing when the tree would not change', async () => {
    const tip = await source.resolve('main');
    const r = await source.commitFiles([{ path: 'sluice.yaml', content: 'kind: Project\n' }], {
      message: 'noop',
      author,
    });
    expect(r).toEqual({ revision: tip, parent: tip, changed: false });
  });

  it('detects a concurrent commit and keeps it', async () => {
    const seen = await source.resolve('main');
    git(repo, 'reset', '-q', '--hard');
    const theirs = commit(repo, { 'other.txt': 'theirs\n' }, 'Someone else');
    const e = await source
      .commitFiles([{ path: 'mine.txt', content: 'mine\n' }], { message: 'Mine', author, expectedRevision: seen })
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SourceError);
    expect((e as SourceError).code).toBe('SOURCE_CONFLICT');
    expect(await source.resolve('main')).toBe(theirs);
  });

  it('starts a new branch at a given revision, leaving the followed branch alone', async () => {
    const main = await source.resolve('main');
    const r = await source.commitFiles([{ path: 'apps/web/overlays/dev/image.txt', content: 'web@sha256:ccc\n' }], {
      branch: 'sluice/dev/web-1',
      startPoint: main,
      message: 'Review me',
      author,
    });
    expect(r.parent).toBe(main);
    expect(await text(r.revision, 'sluice.yaml')).toBe('kind: Project\n');
    expect(await text(r.revision, 'apps/web/overlays/dev/image.txt')).toBe('web@sha256:ccc\n');
    expect(await source.resolve('main')).toBe(main);
  });

  it('creates a new branch and refuses paths outside the tree', async () => {
    const r = await source.commitFiles([{ path: 'x.txt', content: 'x' }], {
      branch: 'promotions/web',
      message: 'Start',
      author,
    });
    expect(r.parent).toBeUndefined();
    expect(await source.resolve('promotions/web')).toBe(r.revision);
    const e = await source
      .commitFiles([{ path: '../x', content: 'x' }], { message: 'bad', author })
      .catch((err: unknown) => err);
    expect((e as SourceError).code).toBe('SOURCE_BAD_PATH');
    const tip = await source.resolve('main');
    const df = await source
      .commitFiles([{ path: 'sluice.yaml/x', content: 'x' }], { message: 'bad', author })
      .catch((err: unknown) => err);
    expect((df as SourceError).code).toBe('SOURCE_BAD_PATH');
    expect((df as SourceError).message).toContain('sluice.yaml');
    expect(await source.resolve('main')).toBe(tip);
    const ok = await source
      .commitFiles(
        [
          { path: 'sluice.yaml', content: null },
          { path: 'sluice.yaml/x', content: 'x' },
        ],
        { message: 'explicit', author },
      )
      .catch((err: unknown) => err);
    expect(ok).toMatchObject({ changed: true });
  });

  it('reverts a commit by writing its inverse', async () => {
    git(repo, 'reset', '-q', '--hard');
    const base = await source.resolve('main');
    const bump = await source.commitFiles(
      [
        { path: 'apps/web/overlays/dev/image.txt', content: 'web@sha256:ccc\n' },
        { path: 'apps/web/overlays/dev/new.yaml', content: 'new: true\n' },
        { path: 'other.txt', content: null },
      ],
      { message: 'Bump web', author },
    );
    const unrelated = await source.commitFiles([{ path: 'docs.md', content: 'docs\n' }], { message: 'Docs', author });
    const rev = await source.revert(bump.revision, { author });
    expect(rev.parent).toBe(unrelated.revision);
    expect((await source.changedPaths(base, rev.revision)).sort()).toEqual(['docs.md']);
    const info = await source.commitInfo(rev.revision);
    expect(info.subject).toBe('Revert "Bump web"');
    expect(info.trailers).toEqual([{ key: 'Sluice-Reverts', value: bump.revision }]);
  });

  it('refuses to revert over later changes to the same file', async () => {
    const a = await source.commitFiles([{ path: 'conf.txt', content: 'a\n' }], { message: 'A', author });
    await source.commitFiles([{ path: 'conf.txt', content: 'b\n' }], { message: 'B', author });
    const e = await source.revert(a.revision, { author }).catch((err: unknown) => err);
    expect((e as SourceError).code).toBe('SOURCE_REVERT_CONFLICT');
    expect((e as SourceError).message).toContain('conf.txt');
  });

  it('pushes to a remote, and a push that would lose a remote commit is rejected', async () => {
    const bare = join(tmp.path, 'remote.git');
    git(tmp.path, 'init', '-q', '--bare', '-b', 'main', bare);
    git(repo, 'remote', 'add', 'origin', bare);
    await source.push();
    expect(git(bare, 'rev-parse', 'main')).toBe(await source.resolve('main'));

    // Someone else pushes first; ours must not overwrite theirs.
    const other = join(tmp.path, 'other');
    git(tmp.path, 'clone', '-q', bare, other);
    const theirs = commit(other, { 'theirs.txt': '1\n' }, 'Theirs');
    git(other, 'push', '-q', 'origin', 'main');
    await source.commitFiles([{ path: 'ours.txt', content: '1\n' }], { message: 'Ours', author });
    const e = await source.push().catch((err: unknown) => err);
    expect((e as SourceError).code).toBe('SOURCE_PUSH_REJECTED');
    expect(git(bare, 'rev-parse', 'main')).toBe(theirs);
  });
});
