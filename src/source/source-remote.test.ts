import { chmodSync, existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../errors/index.js';
import { cacheDir } from './remote.js';
import { commit, git, initRepo, tempDir } from './test-support.js';
import { Source } from './source.js';

const tmp = tempDir();
const work = join(tmp.path, 'work');
const bare = join(tmp.path, 'remote.git');
const url = `file://${bare}`;
const dataDir = join(tmp.path, 'data');
let first: string;

beforeAll(() => {
  initRepo(work);
  first = commit(work, { 'sluice.yaml': 'kind: Project\n', 'apps/web/a.yaml': 'a\n' }, 'First');
  git(tmp.path, 'clone', '-q', '--bare', work, bare);
});

afterAll(() => tmp.remove());

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SourceError);
  return e as SourceError;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('Source on a remote', () => {
  it('knows, without the network, the revision and default branch its last fetch left in the cache', async () => {
    const remote = join(tmp.path, 'cached.git');
    git(tmp.path, 'clone', '-q', '--bare', work, remote);
    const data = join(tmp.path, 'data-cached');
    const a = await Source.open({ url: `file://${remote}` }, { dataDir: data });
    const { revision } = await a.fetch();
    a.close();
    renameSync(remote, `${remote}.gone`);
    const b = await Source.open({ url: `file://${remote}` }, { dataDir: data });
    try {
      await failure(b.fetch());
      expect(await b.cachedRevision()).toBe(revision);
      expect(b.branch).toBe('main');
    } finally {
      b.close();
    }
  });

  it('mirrors a file:// remote into the data directory and fetches new commits', async () => {
    const s = await Source.open({ url }, { dataDir });
    try {
      expect(s.kind).toBe('remote');
      expect(await s.fetch()).toEqual({ revision: first, previous: undefined, changed: true });
      expect(s.branch).toBe('main');
      expect(existsSync(join(cacheDir(dataDir, url), 'HEAD'))).toBe(true);
      const second = commit(work, { 'apps/web/a.yaml': 'b\n' }, 'Second');
      git(work, 'push', '-q', bare, 'main');
      expect(await s.fetch()).toEqual({ revision: second, previous: first, changed: true });
      expect(await s.changedPaths(first, second)).toEqual(['apps/web/a.yaml']);
      expect(new TextDecoder().decode((await s.tree(second)).readFile('apps/web/a.yaml'))).toBe('b\n');
    } finally {
      s.close();
    }
  });

  it('keeps the last good revision when the remote goes away, and backs off', async () => {
    const s = await Source.open({ url, branch: 'main' }, { dataDir, backoff: { initialMs: 1_000, maxMs: 60_000 } });
    const good = (await s.fetch()).revision;
    const moved = `${bare}-away`;
    renameSync(bare, moved);
    try {
      const e = await failure(s.fetch());
      expect(e.code).toBe('SOURCE_UNREACHABLE');
      expect(e.message).toContain(url);
      expect(e.hint).toBeTruthy();
      const one = s.state();
      expect(one).toMatchObject({ lastGoodRevision: good, failures: 1, lastError: { code: 'SOURCE_UNREACHABLE' } });
      await failure(s.fetch());
      const two = s.state();
      expect(two.failures).toBe(2);
      expect(Date.parse(two.nextRetryAt!)).toBeGreaterThan(Date.parse(two.lastError!.at) + 999);
      // Trees keep being served from the cache.
      expect((await s.tree(good)).stat('sluice.yaml')).toBe('file');
    } finally {
      renameSync(moved, bare);
    }
    await s.fetch();
    expect(s.state()).toMatchObject({
      failures: 0,
      lastError: undefined,
      nextRetryAt: undefined,
      lastGoodRevision: good,
    });
    s.close();
  });

  it('reports a remote that never existed, and a closed http port', async () => {
    const gone = await Source.open({ url: 'file:///nonexistent/config.git', branch: 'main' }, { dataDir });
    const e = await failure(gone.fetch());
    expect(e.code).toBe('SOURCE_UNREACHABLE');
    expect(e.message).toContain('file:///nonexistent/config.git');
    expect(gone.state().lastGoodRevision).toBeUndefined();
    gone.close();

    const port = await freePort();
    const closed = await Source.open(
      { url: `http://127.0.0.1:${port}/config.git`, branch: 'main' },
      { dataDir, env: { SLUICE_GIT_TOKEN: 'tok-closed-port-1234' } },
    );
    const e2 = await failure(closed.fetch());
    expect(e2.code).toBe('SOURCE_UNREACHABLE');
    expect(e2.message).toContain(`127.0.0.1:${port}`);
    expect(JSON.stringify(closed.state())).not.toContain('tok-closed-port-1234');
    closed.close();
  });

  it('retries an unreachable remote on a backoff schedule while watching', async () => {
    const s = await Source.open(
      { url: 'file:///nonexistent/again.git', branch: 'main' },
      { dataDir, backoff: { initialMs: 40, maxMs: 80 } },
    );
    const codes: string[] = [];
    const w = s.watch(
      () => undefined,
      (e) => codes.push(e.code),
    );
    try {
      await expect.poll(() => s.state().failures, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
      expect(codes.slice(0, 3)).toEqual(['SOURCE_UNREACHABLE', 'SOURCE_UNREACHABLE', 'SOURCE_UNREACHABLE']);
      expect(s.state().nextRetryAt).toBeDefined();
    } finally {
      w.close();
      s.close();
    }
  });

  it('notices a new remote commit by polling', async () => {
    const s = await Source.open({ url, branch: 'main' }, { dataDir: join(tmp.path, 'data-poll'), pollIntervalMs: 100 });
    const seen: string[] = [];
    const w = s.watch((rev) => seen.push(rev));
    try {
      await expect.poll(() => seen.length, { timeout: 5_000 }).toBe(1);
      const next = commit(work, { 'apps/web/c.yaml': 'c\n' }, 'Third');
      git(work, 'push', '-q', bare, 'main');
      await expect.poll(() => seen, { timeout: 5_000 }).toContain(next);
    } finally {
      w.close();
      s.close();
    }
  });

  it('tells every watcher of a new revision, whichever fetch saw it first', async () => {
    const s = await Source.open({ url, branch: 'main' }, { dataDir: join(tmp.path, 'data-two'), pollIntervalMs: 150 });
    const early: string[] = [];
    const late: string[] = [];
    const a = s.watch((rev) => early.push(rev));
    await expect.poll(() => early.length, { timeout: 5_000 }).toBe(1);
    // Started later, so its polls fall between the first watcher's; a direct fetch also runs.
    await new Promise((r) => setTimeout(r, 70));
    const b = s.watch((rev) => late.push(rev));
    try {
      await expect.poll(() => late.length, { timeout: 5_000 }).toBe(1);
      const next = commit(work, { 'apps/web/both.yaml': 'b\n' }, 'Seen by both');
      git(work, 'push', '-q', bare, 'main');
      // A fetch already under way when the push landed answers with the old tip; ask until it is seen.
      await expect.poll(async () => (await s.fetch()).revision, { timeout: 5_000 }).toBe(next);
      await expect.poll(() => early, { timeout: 5_000 }).toContain(next);
      await expect.poll(() => late, { timeout: 5_000 }).toContain(next);
    } finally {
      a.close();
      b.close();
      s.close();
    }
  });

  it('deletes an ended request branch on the remote, never the followed one', async () => {
    const s = await Source.open({ url, branch: 'main' }, { dataDir: join(tmp.path, 'data-delete') });
    try {
      const base = (await s.fetch()).revision;
      await s.commitFiles([{ path: 'apps/web/req.yaml', content: 'r\n' }], {
        branch: 'sluice/prod/web-1',
        message: 'A request branch',
        author: { name: 'Sluice', email: 'sluice@example.com' },
        startPoint: base,
      });
      await s.push({ branch: 'sluice/prod/web-1' });
      expect(git(bare, 'branch', '--list', 'sluice/prod/web-1')).toContain('sluice/prod/web-1');
      await s.deleteBranch({ branch: 'sluice/prod/web-1' });
      expect(git(bare, 'branch', '--list', 'sluice/prod/web-1')).toBe('');
      await s.deleteBranch({ branch: 'sluice/prod/web-1' }); // already gone: nothing to do
      const refused = await failure(s.deleteBranch({ branch: 'main' }));
      expect(refused.message).toContain('the branch Sluice follows');
      expect(git(bare, 'rev-parse', 'main')).toBe(base);
    } finally {
      s.close();
    }
  });

  it('pushes a commit written into the cache even after a fetch reset the cache branch', async () => {
    const s = await Source.open({ url, branch: 'main' }, { dataDir: join(tmp.path, 'data-push') });
    try {
      const base = (await s.fetch()).revision;
      const r = await s.commitFiles([{ path: 'apps/web/pushed.yaml', content: 'p\n' }], {
        message: 'Pushed through the cache',
        author: { name: 'Sluice', email: 'sluice@example.com' },
        expectedRevision: base,
      });
      expect((await s.fetch()).revision).toBe(base); // the cache follows the remote again
      await s.push();
      expect(git(bare, 'rev-parse', 'main')).toBe(r.revision);
      expect((await s.fetch()).revision).toBe(r.revision);
    } finally {
      s.close();
    }
  });

  it('refuses a URL with an embedded password', async () => {
    const e = await failure(Source.open({ url: 'https://user:hunter2-secret@example.com/r.git' }, { dataDir }));
    expect(e.code).toBe('SOURCE_CREDENTIALS_IN_URL');
    expect(e.message).not.toContain('hunter2-secret');
  });
});

describe('https tokens', () => {
  const token = 'tok-6f1b2c9d-never-shown';
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    headers.push(req.headers);
    res.writeHead(403).end('forbidden');
  });
  let port = 0;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the token to the remote but never in argv, on disk or in errors', async () => {
    // A stand-in git that records every argument vector it is started with.
    const argvLog = join(tmp.path, 'argv.log');
    const wrapper = join(tmp.path, 'git-recording');
    writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$@" >> '${argvLog}'\nexec git "$@"\n`);
    chmodSync(wrapper, 0o755);
    const tokenData = join(tmp.path, 'data-token');
    const s = await Source.open(
      { url: `http://127.0.0.1:${port}/shop/config.git`, branch: 'main', tokenEnv: 'TEST_GIT_TOKEN' },
      { dataDir: tokenData, git: wrapper, env: { TEST_GIT_TOKEN: token } },
    );
    const e = await failure(s.fetch());
    s.close();

    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    expect(headers.some((h) => h.authorization === `Basic ${basic}`)).toBe(true);
    expect(e.code).toBe('SOURCE_AUTH_FAILED');
    const argv = readFileSync(argvLog, 'utf8');
    expect(argv).toContain('fetch');
    for (const secret of [token, basic]) {
      expect(argv).not.toContain(secret);
      expect(e.describe()).not.toContain(secret);
      expect(String((e.cause as Error | undefined)?.message)).not.toContain(secret);
      expect(JSON.stringify(s.state())).not.toContain(secret);
      expect(filesContaining(tokenData, secret)).toEqual([]);
    }
  });
});

function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, name);
    if (statSync(p).isFile() && readFileSync(p).includes(needle)) hits.push(p);
  }
  return hits;
}
