import { LimitExceededError } from '../errors/index.js';
import { DEFAULT_READ_LIMITS, formatBytes, READ_LIMIT_FIELDS, type ReadLimits } from '../model/read-limits.js';
import type { FsEntry, FsEntryType, ReadonlyFs } from '../vfs/index.js';

/**
 * What one render of one app in one environment has read so far, against `spec.limits`.
 * Every renderer reads through a BudgetFs built on it, so no format can read past them.
 */
export class RenderBudget {
  readonly limits: ReadLimits;
  bytes = 0;
  visited = 0;
  /** Tree paths of the files read, in order: later files are applied later (patches after bases). */
  readonly reads: string[] = [];

  constructor(
    /** The directory being rendered, for messages. */
    readonly dir: string,
    limits: Partial<ReadLimits> = {},
  ) {
    this.limits = { ...DEFAULT_READ_LIMITS, ...limits };
  }

  /** Counts one file or directory visited; `path` is named when the count runs over. */
  visit(path: string): void {
    if (++this.visited > this.limits.maxFiles) {
      throw new LimitExceededError(
        'RENDER_TOO_MANY_FILES',
        `rendering ${this.dir} visits more than ${this.limits.maxFiles} files and directories (at ${path})`,
        {
          file: path,
          hint: `A symbolic link may make a directory appear many times; otherwise render less per app, or raise ${READ_LIMIT_FIELDS.maxFiles} in sluice.yaml.`,
        },
      );
    }
  }

  /** Refuses a file of `size` bytes before it is read when it is too large on its own or for the render. */
  charge(path: string, size: number): void {
    this.visit(path);
    if (size > this.limits.maxFileSize) {
      throw new LimitExceededError(
        'FILE_TOO_LARGE',
        `${path} is ${formatBytes(size)}, more than the ${formatBytes(this.limits.maxFileSize)} one file may have`,
        {
          file: path,
          hint: `Split the file, keep large data out of the config repo, or raise ${READ_LIMIT_FIELDS.maxFileSize} in sluice.yaml.`,
        },
      );
    }
    if (this.bytes + size > this.limits.maxRenderSize) {
      throw new LimitExceededError(
        'RENDER_TOO_LARGE',
        `rendering ${this.dir} reads more than ${formatBytes(this.limits.maxRenderSize)} (${formatBytes(this.bytes + size)} with ${path})`,
        {
          file: path,
          hint: `Render less per app, or raise ${READ_LIMIT_FIELDS.maxRenderSize} in sluice.yaml.`,
        },
      );
    }
    this.bytes += size;
    this.reads.push(path);
  }

  /** Refuses a walk that goes deeper than `maxDepth` below the rendered directory. */
  descend(dir: string, depth: number): void {
    if (depth > this.limits.maxDepth) {
      throw new LimitExceededError(
        'WALK_TOO_DEEP',
        `${dir} is ${depth} directories below ${this.dir}, deeper than the ${this.limits.maxDepth} a render descends`,
        {
          file: dir,
          hint: `Flatten the directory tree, or raise ${READ_LIMIT_FIELDS.maxDepth} in sluice.yaml.`,
        },
      );
    }
  }
}

/** A ReadonlyFs that charges every file read and directory listed to a RenderBudget. */
export class BudgetFs implements ReadonlyFs {
  constructor(
    readonly inner: ReadonlyFs,
    readonly budget: RenderBudget,
  ) {}

  readFile(path: string): Uint8Array {
    const known = this.inner.size?.(path);
    if (known !== undefined) this.budget.charge(path, known);
    const bytes = this.inner.readFile(path);
    if (known === undefined) this.budget.charge(path, bytes.length);
    return bytes;
  }

  readDir(path: string): FsEntry[] {
    return this.inner.readDir(path);
  }

  lstat(path: string): FsEntryType | undefined {
    return this.inner.lstat(path);
  }
  stat(path: string): 'file' | 'dir' | undefined {
    return this.inner.stat(path);
  }
  readLink(path: string): string {
    return this.inner.readLink(path);
  }
  realPath(path: string): string {
    return this.inner.realPath(path);
  }
  size(path: string): number | undefined {
    return this.inner.size?.(path);
  }

  // A decrypting tree tells renderers which files were encrypted; that must survive the wrapping.
  isEncrypted(path: string): boolean {
    return (this.inner as { isEncrypted?: (p: string) => boolean }).isEncrypted?.(path) ?? false;
  }
  get encryptedPaths(): ReadonlySet<string> | undefined {
    return (this.inner as { encryptedPaths?: ReadonlySet<string> }).encryptedPaths;
  }
}
