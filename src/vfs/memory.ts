import { LimitExceededError, RenderError } from '../errors/index.js';
import { resolveLinks } from './links.js';
import { dirnameOf, joinPath, normalizePath } from './paths.js';
import type { FsEntry, FsEntryType, ReadonlyFs } from './types.js';

type Node =
  | { type: 'file'; data: Uint8Array }
  | { type: 'file'; data: undefined; size: number; limit: number }
  | { type: 'symlink'; target: string }
  | { type: 'dir' };

/**
 * A file tree held in memory: what Sluice builds from a Git revision, so a render never
 * touches anyone's work tree.
 */
export class MemoryFs implements ReadonlyFs {
  private readonly nodes = new Map<string, Node>([['.', { type: 'dir' }]]);

  static fromFiles(files: Record<string, string | Uint8Array>): MemoryFs {
    const fs = new MemoryFs();
    for (const [path, content] of Object.entries(files)) fs.addFile(path, content);
    return fs;
  }

  addFile(path: string, content: string | Uint8Array): void {
    const data = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    this.put(path, { type: 'file', data });
  }

  /** A file too large to hold: listed with its size, refused when read. */
  addUnloaded(path: string, size: number, limit: number): void {
    this.put(path, { type: 'file', data: undefined, size, limit });
  }

  addSymlink(path: string, target: string): void {
    this.put(path, { type: 'symlink', target });
  }

  addDir(path: string): void {
    this.put(path, { type: 'dir' });
  }

  private put(path: string, node: Node): void {
    const p = normalizePath(path);
    if (p === '.' || p.startsWith('..')) throw new Error(`invalid tree path: ${path}`);
    let dir = dirnameOf(p);
    while (dir !== '.' && !this.nodes.has(dir)) {
      this.nodes.set(dir, { type: 'dir' });
      dir = dirnameOf(dir);
    }
    this.nodes.set(p, node);
  }

  lstat(path: string): FsEntryType | undefined {
    return this.nodes.get(normalizePath(path))?.type;
  }

  stat(path: string): 'file' | 'dir' | undefined {
    let real: string;
    try {
      real = this.realPath(path);
    } catch {
      return undefined;
    }
    const node = this.nodes.get(real);
    return node?.type === 'file' || node?.type === 'dir' ? node.type : undefined;
  }

  readFile(path: string): Uint8Array {
    const node = this.nodes.get(this.realPath(path));
    if (!node) throw notFound(path);
    if (node.type !== 'file') throw new RenderError('NOT_A_FILE', `${path} is a directory, not a file`, { file: path });
    if (node.data === undefined) {
      throw new LimitExceededError(
        'FILE_TOO_LARGE',
        `${path} is ${node.size} bytes, more than the ${node.limit} bytes Sluice loads from a revision`,
        { file: path, hint: 'Keep large data out of the config repository; Sluice does not read it.' },
      );
    }
    return node.data;
  }

  readDir(path: string): FsEntry[] {
    const dir = this.realPath(path);
    const node = this.nodes.get(dir);
    if (!node) throw notFound(path);
    if (node.type !== 'dir') throw new RenderError('NOT_A_DIR', `${path} is not a directory`, { file: path });
    const prefix = dir === '.' ? '' : `${dir}/`;
    const out: FsEntry[] = [];
    for (const [p, n] of this.nodes) {
      if (p === '.' || !p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      if (rest.includes('/')) continue;
      out.push({ name: rest, type: n.type });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  readLink(path: string): string {
    // The directories above the link may be links themselves.
    const p = normalizePath(path);
    const node = this.nodes.get(p === '.' ? p : joinPath(this.realPath(dirnameOf(p)), p.slice(p.lastIndexOf('/') + 1)));
    if (node?.type !== 'symlink') throw new RenderError('NOT_A_LINK', `${path} is not a symbolic link`, { file: path });
    return node.target;
  }

  realPath(path: string): string {
    return resolveLinks(path, (p) => {
      const node = this.nodes.get(p);
      return node?.type === 'symlink' ? { link: node.target } : undefined;
    });
  }

  /** Size in bytes of the file at `path`, without copying it. */
  size(path: string): number | undefined {
    const node = this.nodes.get(this.realPath(path));
    if (node?.type !== 'file') return undefined;
    return node.data === undefined ? node.size : node.data.length;
  }
}

function notFound(path: string): RenderError {
  return new RenderError('NOT_FOUND', `${path}: no such file or directory`, { file: path });
}
