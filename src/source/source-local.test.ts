import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../errors/index.js';
import { commit, git, initRepo, tempDir } from './test-support.js';
import { Source } from './source.js';

const tmp = tempDir();
const repo = join(tmp.path, 'config');
let first: string;
let second: string;
let source: Source;

beforeAll(async () => {
  initRepo(repo);
  first = commit(
    repo,
    {
      'sluice.yaml': 'kind: Project\n',
      'apps/web/base/deploy.yaml': 'kind: Deployment\n',
      'apps/web/overlays/dev/kustomization.yaml': 'resources: [../../base]\n',
      'apps/web/overlays/dev/link.yaml': { symlink: '../../base/deploy.yaml' },
      'apps/web/escape.yaml': { symlink: '../../../etc/passwd' },
      'apps/api/base/a.yaml': 'a: 1\n',
    },
    'First',
  );
  const sub = commit(repo, {}, 'Empty');
  git(repo, 'update-index', '--add', '--cacheinfo', `160000,${sub},vendor/lib`);
  git(repo, 'mv', 'apps/api/base/a.yaml', 'apps/web/base/a.yaml');
  second = commit(repo, { 'README.md': 'hi\n' }, 'Move a\n\nBody text.\n\nSluice-App: web\nSluice-Env: dev');
  git(repo, 'tag', 'v1', first);
  writeFileSync(join(repo, 'README.md'), 'local edit, not committed\n');
  source = await Source.open({ path: repo }, { dataDir: join(tmp.path, 'data') });
});

afterAll(() => {
  source.close();
  tmp.remove();
});

async function rejection(p: Promise<unknown>): Promise<SourceError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SourceError);
  return e as SourceError;
}

describe('Source on a local repository', () => {
  it('follows the HEAD branch and fetches its revision without touching the work tree', async () => {
    const before = git(repo, 'status', '--porcelain');
    expect(source.kind).toBe('local');
    expect(source.branch).toBe('main');
    expect(await source.fetch()).toEqual({ revision: second, previous: undefined, changed: true });
    expect((await source.fetch()).changed).toBe(false);
    expect(source.state()).toMatchObject({ lastGoodRevision: second, lastError: undefined, failures: 0 });
    expect(git(repo, 'status', '--porcelain')).toBe(before);
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe('local edit, not committed\n');
  });

  it('resolves branches, tags, HEAD and short SHAs to full SHAs', async () => {
    expect(await source.resolve('main')).toBe(second);
    expect(await source.resolve('HEAD')).toBe(second);
    expect(await source.resolve('v1')).toBe(first);
    expect(await source.resolve(first.slice(0, 8))).toBe(first);
    expect(await source.resolve('HEAD~2')).toBe(first);
  });

  it('reads the tree at a revision into a MemoryFs, with symlinks and without submodules', async () => {
    const fs = await source.tree(first);
    expect(new TextDecoder().decode(fs.readFile('apps/web/overlays/dev/link.yaml'))).toBe('kind: Deployment\n');
    expect(fs.lstat('apps/web/overlays/dev/link.yaml')).toBe('symlink');
    expect(fs.readLink('apps/web/overlays/dev/link.yaml')).toBe('../../base/deploy.yaml');
    expect(() => fs.realPath('apps/web/escape.yaml')).toThrow(expect.objectContaining({ code: 'PATH_ESCAPE' }));
    const later = await source.tree(second);
    expect(later.lstat('vendor/lib')).toBeUndefined();
    expect(later.stat('apps/web/base/a.yaml')).toBe('file');
    expect(await source.tree(first)).toBe(fs); // cached per commit
  });

  it('reads only a subtree when given a prefix, keeping root-relative paths', async () => {
    const fs = await source.tree('main', 'apps/web');
    expect(fs.readDir('apps/web').map((e) => e.name)).toEqual(['base', 'escape.yaml', 'overlays']);
    expect(fs.lstat('sluice.yaml')).toBeUndefined();
    expect(fs.lstat('apps/api')).toBeUndefined();
  });

  it('reads one file', async () => {
    expect(new TextDecoder().decode(await source.readFile(first, 'sluice.yaml'))).toBe('kind: Project\n');
    const e = await rejection(source.readFile(first, 'nope.yaml'));
    expect(e.code).toBe('SOURCE_PATH_NOT_FOUND');
  });

  it('lists changed paths with both sides of a rename', async () => {
    expect((await source.changedPaths(first, second)).sort()).toEqual([
      'README.md',
      'apps/api/base/a.yaml',
      'apps/web/base/a.yaml',
      'vendor/lib',
    ]);
    expect(await source.changedPaths(undefined, first)).toContain('sluice.yaml');
  });

  it('reports commit metadata and history', async () => {
    const info = await source.commitInfo(second);
    expect(info).toMatchObject({
      sha: second,
      subject: 'Move a',
      body: 'Body text.',
      trailers: [
        { key: 'Sluice-App', value: 'web' },
        { key: 'Sluice-Env', value: 'dev' },
      ],
      author: { name: 'Test Author', email: 'author@example.com' },
    });
    expect(info.author.time).toBeInstanceOf(Date);
    expect((await source.log()).map((c) => c.subject)).toEqual(['Move a', 'Empty', 'First']);
    expect((await source.log({ paths: ['sluice.yaml'] })).map((c) => c.sha)).toEqual([first]);
  });

  it('explains unknown refs and missing commits', async () => {
    expect((await rejection(source.resolve('nope'))).code).toBe('SOURCE_UNKNOWN_REF');
    const missing = await rejection(source.resolve('0123456789abcdef0123456789abcdef01234567'));
    expect(missing.code).toBe('SOURCE_COMMIT_MISSING');
    expect(missing.hint).toBeTruthy();
    expect((await rejection(source.resolve('--output=/tmp/x'))).code).toBe('SOURCE_UNKNOWN_REF');
  });

  it('explains an unknown branch and a path that is not a repository', async () => {
    const s = await Source.open({ path: repo, branch: 'release' }, { dataDir: tmp.path });
    const e = await rejection(s.fetch());
    expect(e.code).toBe('SOURCE_BRANCH_NOT_FOUND');
    expect(e.hint).toContain('main');
    expect(s.state().lastError?.code).toBe('SOURCE_BRANCH_NOT_FOUND');
    s.close();
    const notRepo = await rejection(Source.open({ path: join(repo, 'apps') }, { dataDir: tmp.path }));
    expect(notRepo.code).toBe('SOURCE_NOT_A_REPO');
    expect((await rejection(Source.open({ path: join(tmp.path, 'missing') }, { dataDir: tmp.path }))).code).toBe(
      'SOURCE_NOT_A_REPO',
    );
  });
});

describe('Source history', () => {
  it('asks git for the history of a commit and paths once', async () => {
    const calls = join(tmp.path, 'git-calls');
    const wrapper = join(tmp.path, 'git-counting');
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${calls}'\nexec git "$@"\n`);
    chmodSync(wrapper, 0o755);
    const counted = await Source.open({ path: repo }, { dataDir: join(tmp.path, 'data-counted'), git: wrapper });
    try {
      const query = { ref: second, max: 1, paths: ['apps/web'] };
      const [a, b] = [await counted.log(query), await counted.log(query)];
      expect(a.map((c) => c.sha)).toEqual([second]);
      expect(b).toEqual(a);
      expect((await counted.log({ ref: first, max: 1, paths: ['apps/web'] })).map((c) => c.sha)).toEqual([first]);
      const revLists = readFileSync(calls, 'utf8')
        .split('\n')
        .filter((l) => l.includes('rev-list'));
      expect(revLists).toHaveLength(2);
    } finally {
      counted.close();
    }
  });
});
