import * as fs from 'node:fs';
import * as path from 'node:path';
import { RenderError } from '../errors/index.js';
import { normalizePath } from './paths.js';
import type { FsEntry, FsEntryType, ReadonlyFs } from './types.js';

/** A directory on disk seen as a ReadonlyFs rooted there; nothing outside it is readable. */
export class DiskFs implements ReadonlyFs {
  private readonly root: string;

  constructor(root: string) {
    this.root = fs.realpathSync(path.resolve(root));
  }

  private abs(p: string): string {
    const n = normalizePath(p);
    if (n === '..' || n.startsWith('../')) throw escape(p);
    return n === '.' ? this.root : path.join(this.root, n);
  }

  lstat(p: string): FsEntryType | undefined {
    try {
      const s = fs.lstatSync(this.abs(p));
      return s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'dir' : 'file';
    } catch {
      return undefined;
    }
  }

  stat(p: string): 'file' | 'dir' | undefined {
    try {
      const s = fs.statSync(this.abs(this.realPath(p)));
      return s.isDirectory() ? 'dir' : 'file';
    } catch {
      return undefined;
    }
  }

  readFile(p: string): Uint8Array {
    const real = this.realPath(p);
    try {
      return fs.readFileSync(this.abs(real));
    } catch (e) {
      throw ioError(p, e);
    }
  }

  readDir(p: string): FsEntry[] {
    const real = this.realPath(p);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(this.abs(real), { withFileTypes: true });
    } catch (e) {
      throw ioError(p, e);
    }
    return entries
      .map((d): FsEntry => ({ name: d.name, type: d.isSymbolicLink() ? 'symlink' : d.isDirectory() ? 'dir' : 'file' }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  readLink(p: string): string {
    return fs.readlinkSync(this.abs(p));
  }

  realPath(p: string): string {
    let real: string;
    try {
      real = fs.realpathSync(this.abs(p));
    } catch (e) {
      throw ioError(p, e);
    }
    const rel = path.relative(this.root, real);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw escape(p);
    return normalizePath(rel.split(path.sep).join('/'));
  }
}

function escape(p: string): RenderError {
  return new RenderError('PATH_ESCAPE', `${p} resolves outside the root directory`, {
    file: p,
    hint: 'Paths and symbolic links must stay inside the directory being rendered.',
  });
}

function ioError(p: string, e: unknown): RenderError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new RenderError('NOT_FOUND', `${p}: no such file or directory`, { file: p });
  return new RenderError('IO_ERROR', `${p}: ${(e as Error).message}`, { file: p, cause: e });
}
