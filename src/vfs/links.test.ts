import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SymlinkError } from '../errors/index.js';
import { DiskFs } from './disk.js';
import { MemoryFs } from './memory.js';

/** Both trees resolve links alike and name the link (not only the path read) when one is bad. */

const dir = mkdtempSync(join(tmpdir(), 'sluice-links-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const repo = join(dir, 'repo');
mkdirSync(join(repo, 'apps/web/base'), { recursive: true });
writeFileSync(join(repo, 'apps/web/base/web.yaml'), 'kind: Web\n');
writeFileSync(join(dir, 'secret.txt'), 'outside\n');
symlinkSync('base', join(repo, 'apps/web/current'));
symlinkSync('../../../../secret.txt', join(repo, 'apps/web/base/leak.yaml'));
symlinkSync(join(repo, 'apps/web/base/web.yaml'), join(repo, 'apps/web/absolute.yaml'));
symlinkSync('b.yaml', join(repo, 'apps/web/a.yaml'));
symlinkSync('a.yaml', join(repo, 'apps/web/b.yaml'));

function memory(): MemoryFs {
  const fs = MemoryFs.fromFiles({ 'apps/web/base/web.yaml': 'kind: Web\n' });
  fs.addSymlink('apps/web/current', 'base');
  fs.addSymlink('apps/web/base/leak.yaml', '../../../../secret.txt');
  fs.addSymlink('apps/web/a.yaml', 'b.yaml');
  fs.addSymlink('apps/web/b.yaml', 'a.yaml');
  return fs;
}

const thrown = (f: () => unknown): SymlinkError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SymlinkError);
    return e as SymlinkError;
  }
  throw new Error('expected a SymlinkError');
};

describe.each([
  ['MemoryFs', memory],
  ['DiskFs', () => new DiskFs(repo)],
] as const)('%s', (_name, open) => {
  it('follows links inside the tree, through linked directories', () => {
    const fs = open();
    expect(fs.realPath('apps/web/current/web.yaml')).toBe('apps/web/base/web.yaml');
    expect(new TextDecoder().decode(fs.readFile('apps/web/current/web.yaml'))).toBe('kind: Web\n');
    expect(fs.readLink('apps/web/current/leak.yaml')).toBe('../../../../secret.txt');
    expect(fs.size?.('apps/web/current/web.yaml')).toBe(10);
  });

  it('names the escaping link where it lies in the tree and its target, read directly or through a linked directory', () => {
    const fs = open();
    for (const path of ['apps/web/base/leak.yaml', 'apps/web/current/leak.yaml']) {
      const e = thrown(() => fs.readFile(path));
      expect(e.code).toBe('PATH_ESCAPE');
      expect(e.message).toMatch(
        /^symbolic link apps\/web\/base\/leak\.yaml points to \.\.\/\.\.\/\.\.\/\.\.\/secret\.txt, outside the repository$/,
      );
      expect(e.retry).toBe(false);
    }
    expect(fs.stat('apps/web/base/leak.yaml')).toBeUndefined();
  });

  it('names a link in a loop', () => {
    const e = thrown(() => open().realPath('apps/web/a.yaml'));
    expect(e.code).toBe('SYMLINK_LOOP');
    expect(e.location.file).toMatch(/^apps\/web\/[ab]\.yaml$/);
    expect(e.message).toMatch(/points to [ab]\.yaml, which loops back to itself/);
  });
});

describe('DiskFs', () => {
  it('follows an absolute link that lands inside the root', () => {
    expect(new DiskFs(repo).realPath('apps/web/absolute.yaml')).toBe('apps/web/base/web.yaml');
  });
});
