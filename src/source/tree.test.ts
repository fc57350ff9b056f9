import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../errors/index.js';
import { git, initRepo, tempDir } from './test-support.js';
import { Source } from './source.js';

const tmp = tempDir();
const repo = join(tmp.path, 'config');
const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'x');
let source: Source;
let revision: string;

beforeAll(async () => {
  initRepo(repo);
  source = await Source.open({ path: repo }, { dataDir: tmp.path, treeCacheSize: 2 });
  // Written through Sluice itself to keep setup to a handful of git processes.
  const files = Array.from({ length: 300 }, (_, i) => ({ path: `apps/a${i % 10}/f${i}.yaml`, content: `n: ${i}\n` }));
  const author = { name: 'T', email: 't@example.com' };
  const r = await source.commitFiles(
    [
      ...files,
      { path: 'big.bin', content: big },
      { path: 'dup.yaml', content: 'n: 1\n' },
      { path: 'empty', content: '' },
    ],
    { message: 'Many files', author },
  );
  revision = r.revision;
});

afterAll(() => {
  source.close();
  tmp.remove();
});

describe('reading trees through one cat-file process', () => {
  it('reads many files and large ones intact', async () => {
    const fs = await source.tree(revision);
    expect(fs.readDir('apps')).toHaveLength(10);
    expect(new TextDecoder().decode(fs.readFile('apps/a7/f237.yaml'))).toBe('n: 237\n');
    expect(Buffer.from(fs.readFile('big.bin')).equals(big)).toBe(true);
    expect(new TextDecoder().decode(fs.readFile('dup.yaml'))).toBe('n: 1\n');
    expect(fs.readFile('empty')).toHaveLength(0);
    expect(git(repo, 'ls-tree', '-r', '--name-only', revision).split('\n')).toHaveLength(303);
  });

  it('lists a blob above maxBlobSize with its size but never loads it', async () => {
    const small = await Source.open({ path: repo }, { dataDir: tmp.path, maxBlobSize: 1024 * 1024 });
    try {
      const fs = await small.tree(revision);
      expect(fs.stat('big.bin')).toBe('file');
      expect(fs.size('big.bin')).toBe(big.length);
      expect(() => fs.readFile('big.bin')).toThrow(
        expect.objectContaining({ code: 'FILE_TOO_LARGE', retry: false, location: { file: 'big.bin' } }),
      );
      expect(new TextDecoder().decode(fs.readFile('dup.yaml'))).toBe('n: 1\n');
    } finally {
      small.close();
    }
  });

  it('shares one read between concurrent requests and evicts old trees', async () => {
    const [a, b] = await Promise.all([source.tree(revision, 'apps/a1'), source.tree(revision, 'apps/a1')]);
    expect(a).toBe(b);
    await source.tree(revision, 'apps/a2');
    await source.tree(revision, 'apps/a3');
    expect(await source.tree(revision, 'apps/a1')).not.toBe(a);
  });

  it('rejects a prefix that leaves the repository and a spec with no location', async () => {
    await expect(source.tree(revision, '../x')).rejects.toMatchObject({ code: 'SOURCE_BAD_PATH' });
    await expect(Source.open({}, { dataDir: tmp.path })).rejects.toBeInstanceOf(SourceError);
    await expect(Source.open({ url: 'file:///x', path: '/x' }, { dataDir: tmp.path })).rejects.toMatchObject({
      code: 'SOURCE_INVALID',
    });
  });
});
