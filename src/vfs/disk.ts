import * as fs from 'node:fs';
import * as path from 'node:path';
import { RenderError } from '../errors/index.js';
import { resolveLinks } from './links.js';
import { normalizePath } from './paths.js';
import type { FsEntry, FsEntryType, ReadonlyFs } from './types.js';

/** A directory on disk seen as a ReadonlyFs rooted there; nothing outside it is readable. */
export class DiskFs implements ReadonlyFs {
  private readonly root: string;

  constructor(
    root: string,
    /** How messages name the root: `the repository`, or the directory being rendered. */
    private readonly rootName = 'the repository',
  ) {
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
    // The directories above the link are resolved inside the root first: they may be links too.
    const n = normalizePath(p);
    const parent = n.includes('/') ? this.realPath(n.slice(0, n.lastIndexOf('/'))) : '.';
    try {
      return fs.readlinkSync(this.abs(`${parent}/${n.slice(n.lastIndexOf('/') + 1)}`));
    } catch (e) {
      throw ioError(p, e);
    }
  }

  realPath(p: string): string {
    return resolveLinks(
      p,
      (rel) => {
        const abs = this.abs(rel);
        let link: string;
        try {
          if (!fs.lstatSync(abs).isSymbolicLink()) return undefined;
          link = fs.readlinkSync(abs);
        } catch (e) {
          // A missing component is reported by whoever reads it, with the path they asked for.
          if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
            return undefined;
          throw ioError(p, e);
        }
        if (!path.isAbsolute(link)) return { link };
        // An absolute link is followed when it lands inside the root, as the kernel would.
        const inside = path.relative(this.root, link);
        if (inside.startsWith('..') || path.isAbsolute(inside)) return { link };
        return { link, lands: normalizePath(inside.split(path.sep).join('/')) };
      },
      this.rootName,
    );
  }

  /** Size in bytes of the file at `p`, read from its metadata so a huge file is refused unread. */
  size(p: string): number | undefined {
    try {
      const s = fs.statSync(this.abs(this.realPath(p)));
      return s.isFile() ? s.size : undefined;
    } catch {
      return undefined;
    }
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
