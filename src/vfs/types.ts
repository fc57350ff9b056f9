/**
 * A read-only, synchronous view of a file tree with POSIX paths relative to its root.
 * Renderers read through it so the same code renders a Git revision held in memory and a
 * directory on disk, and so no renderer can wander outside the tree it was given.
 */
export type FsEntryType = 'file' | 'dir' | 'symlink';

export interface FsEntry {
  name: string;
  type: FsEntryType;
}

export interface ReadonlyFs {
  /** Type of the entry at `path`, without following a final symlink; undefined if absent. */
  lstat(path: string): FsEntryType | undefined;
  /** Type of the entry at `path` after following symlinks inside the tree. */
  stat(path: string): 'file' | 'dir' | undefined;
  /** Bytes of a file; symlinks inside the tree are followed. Throws if absent or a directory. */
  readFile(path: string): Uint8Array;
  /** Entries of a directory, sorted by name. */
  readDir(path: string): FsEntry[];
  /** Target of a symlink, as stored (may be relative). */
  readLink(path: string): string;
  /**
   * Path with every symlink resolved, relative to the root. Throws a RenderError with code
   * `PATH_ESCAPE` if resolution leaves the tree and `SYMLINK_LOOP` if it loops, naming the link.
   */
  realPath(path: string): string;
  /** Size in bytes of a file, when the tree can tell without reading it (so a huge file is refused unread). */
  size?(path: string): number | undefined;
}
