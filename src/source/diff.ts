import { runGit, type GitContext } from './git.js';

/**
 * Paths that differ between two commits. Renames are reported as a deletion plus an addition
 * so both the old and the new location count as changed.
 */
export async function changedPaths(ctx: GitContext, from: string, to: string): Promise<string[]> {
  const out = await runGit(ctx, [
    'diff',
    '--name-only',
    '-z',
    '--no-renames',
    '--no-ext-diff',
    '--no-textconv',
    from,
    to,
    '--',
  ]);
  return splitNul(out.stdout);
}

/** Every path in a commit, for the first revision a caller sees. */
export async function allPaths(ctx: GitContext, revision: string): Promise<string[]> {
  const out = await runGit(ctx, ['ls-tree', '-r', '-z', '--name-only', '--full-tree', revision]);
  return splitNul(out.stdout);
}

function splitNul(b: Buffer): string[] {
  return b
    .toString('utf8')
    .split('\0')
    .filter((p) => p !== '');
}
