import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Source, type LogQuery } from '../source/index.js';
import { commit, initRepo, tempDir } from '../source/test-support.js';
import { NamedScopes } from './named-scopes.js';

const trailers = (action: string, app: string, env: string) =>
  `Change ${app} in ${env}\n\nSluice-Action: ${action}\nSluice-App: ${app}\nSluice-Env: ${env}\n`;

describe('NamedScopes', () => {
  let tmp: ReturnType<typeof tempDir>;
  let repo: string;
  let source: Source;
  let queries: LogQuery[];
  let named: NamedScopes;

  beforeEach(async () => {
    tmp = tempDir();
    repo = initRepo(`${tmp.path}/repo`);
    source = await Source.open({ url: repo }, { dataDir: `${tmp.path}/data` });
    queries = [];
    named = new NamedScopes({ log: (q) => (queries.push(q ?? {}), source.log(q)) });
  });
  afterEach(async () => {
    await source.close();
    tmp.remove();
  });

  it('names only the scopes a promote or set-image commit names, and walks each commit once', async () => {
    const r1 = commit(repo, { 'apps/web/overlays/prod/kustomization.yaml': 'resources: []\n' }, 'Add web');
    expect(await named.mayName(r1, 'web', 'prod')).toBe(false);
    commit(repo, { 'apps/web/overlays/prod/v': '2\n' }, trailers('promote', 'web', 'prod'));
    commit(repo, { 'apps/api/overlays/dev/v': '2\n' }, trailers('set-image', 'api', 'dev'));
    const r4 = commit(repo, { 'apps/api/overlays/prod/v': '1\n' }, trailers('rollback', 'api', 'prod'));
    await source.fetch();
    expect(await named.mayName(r4, 'web', 'prod')).toBe(true);
    expect(await named.mayName(r4, 'api', 'dev')).toBe(true);
    // A rollback is no promotion, and a scope no commit names is left out.
    expect(await named.mayName(r4, 'api', 'prod')).toBe(false);
    expect(await named.mayName(r4, 'web', 'dev')).toBe(false);
    // Two walks in all: the second from where the first ended.
    expect(queries.map((q) => [q.ref, q.not])).toEqual([
      [r1, undefined],
      [r4, r1],
    ]);
  });

  it('walks the whole history again when the revision it last walked is gone', async () => {
    const r1 = commit(repo, { a: '1\n' }, 'One');
    await named.mayName(r1, 'web', 'prod');
    const rewritten = new NamedScopes({
      log: (q) => (q?.not ? Promise.reject(new Error('bad object')) : source.log(q)),
    });
    await rewritten.mayName(r1, 'web', 'prod');
    const r2 = commit(repo, { b: '1\n' }, trailers('promote', 'web', 'prod'));
    await source.fetch();
    expect(await rewritten.mayName(r2, 'web', 'prod')).toBe(true);
  });
});
