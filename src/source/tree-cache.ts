import type { MemoryFs } from '../vfs/index.js';
import type { CatFileBatch } from './cat-file.js';
import type { GitContext } from './git.js';
import { Lru } from './lru.js';
import { buildTree } from './tree.js';
import type { SourceLog } from './types.js';

/**
 * Trees by commit SHA and prefix. A commit never changes, so an entry is valid until it is
 * evicted; concurrent requests for the same tree share one read.
 */
export class TreeCache {
  private readonly lru: Lru<string, Promise<MemoryFs>>;

  constructor(
    private readonly ctx: GitContext,
    private readonly batch: CatFileBatch,
    capacity: number,
    private readonly log: SourceLog,
    private readonly maxBlobSize?: number,
  ) {
    this.lru = new Lru(capacity);
  }

  /** `sha` must be a full commit SHA. */
  get(sha: string, prefix?: string): Promise<MemoryFs> {
    const key = `${sha}\0${prefix ?? ''}`;
    let p = this.lru.get(key);
    if (!p) {
      p = buildTree(this.ctx, this.batch, sha, prefix, this.maxBlobSize).then(({ fs, notes }) => {
        if (notes.skippedSubmodules.length > 0) {
          this.log.info(
            { revision: sha, submodules: notes.skippedSubmodules },
            'submodules are not read; their paths are left out of the tree',
          );
        }
        return fs;
      });
      p.catch(() => this.lru.get(key) === p && this.evict(key));
      this.lru.set(key, p);
    }
    return p;
  }

  private evict(key: string): void {
    this.lru.delete(key);
  }
}
