import { RenderError, SymlinkError } from '../errors/index.js';
import { isWithin, joinPath, linkEscapeError, type ReadonlyFs } from '../vfs/index.js';
import type { RenderBudget } from './budget.js';

export interface WalkOptions {
  budget: RenderBudget;
  /** True for a file name the walk is looking for; a broken link of such a name is an error. */
  wants: (name: string) => boolean;
}

/**
 * Every wanted file below `dir`, in path order, following symbolic links inside the tree.
 * A link that leaves the tree, points back at a directory the walk is inside (a link to a
 * parent would make the walk endless), or points at nothing is an error naming the link and
 * its target; depth and the number of entries are bounded by the budget.
 */
export function walkFiles(fs: ReadonlyFs, dir: string, options: WalkOptions): string[] {
  const { budget, wants } = options;
  const files: string[] = [];
  /** `chain` holds the real paths of the directories the walk is inside, `d`'s among them. */
  const walk = (d: string, depth: number, chain: string[]): void => {
    budget.descend(d, depth);
    budget.visit(d);
    const real = chain.at(-1)!;
    for (const e of fs.readDir(d)) {
      const p = joinPath(d, e.name);
      if (e.type === 'file') {
        if (wants(e.name)) files.push(p);
        continue;
      }
      if (e.type === 'dir') {
        walk(p, depth + 1, [...chain, joinPath(real, e.name)]);
        continue;
      }
      const target = fs.readLink(p);
      let resolved: string;
      try {
        resolved = fs.realPath(p);
      } catch (err) {
        if (err instanceof SymlinkError) throw err;
        if (err instanceof RenderError && err.code === 'PATH_ESCAPE') throw linkEscapeError(p, target);
        throw err;
      }
      const type = fs.stat(resolved);
      if (type === 'file') {
        if (wants(e.name)) files.push(p);
      } else if (type === 'dir') {
        // Into a directory the walk is already inside: it would list itself again, forever.
        if (chain.some((a) => isWithin(resolved, a))) {
          throw new SymlinkError(
            'SYMLINK_LOOP',
            `symbolic link ${p} points to ${target} (${resolved}), which contains the link itself: reading it would never end`,
            {
              file: p,
              hint: `A link to a parent directory loops; point ${p} at a directory outside ${resolved === '.' ? 'the repository root' : resolved}, or remove it.`,
            },
          );
        }
        walk(p, depth + 1, [...chain, resolved]);
      } else if (wants(e.name)) {
        throw new SymlinkError('SYMLINK_BROKEN', `symbolic link ${p} points to ${target}, which does not exist`, {
          file: p,
          hint: `Create ${target} (relative to the link's directory), point ${p} at a file that exists, or remove it.`,
        });
      }
    }
  };
  walk(dir, 0, [fs.realPath(dir)]);
  return files;
}
