import { runGit, type GitContext } from './git.js';
import type { WorkingCopyUpdate } from './working-copy.js';

/**
 * Sluice writes commits through the git directory, so when it moves the branch a person has
 * checked out in the repository it follows, their index and files still hold the old tree and
 * their next `git commit -a` would quietly undo Sluice's commit. This brings the work tree along
 * the way git's `receive.denyCurrentBranch=updateInstead` does: a two-tree merge from the old
 * tip to the new one, which keeps the person's own edits to other files and refuses to touch a
 * file both sides changed. When it refuses, nothing is touched and the message says how to
 * catch up. Returns undefined where there is no checked-out copy of the branch to bring along.
 */
export async function followCheckedOutBranch(
  ctx: GitContext,
  repoPath: string,
  branch: string,
  from: string,
  to: string,
): Promise<WorkingCopyUpdate | undefined> {
  const git = (args: string[]) => runGit(ctx, args, { allowFail: true, cwd: repoPath, bare: true });
  const top = await git(['rev-parse', '--show-toplevel']);
  if (top.code !== 0) return undefined; // a bare repository
  const dir = top.stdout.toString('utf8').trim();
  const head = await git(['symbolic-ref', '--quiet', 'HEAD']);
  if (head.stdout.toString('utf8').trim() !== `refs/heads/${branch}`) return undefined;
  // Stat information is refreshed first, or a file merely touched would count as edited.
  await git(['update-index', '-q', '--refresh']);
  const merged = await git(['read-tree', '-m', '-u', from, to]);
  if (merged.code === 0) {
    return { state: 'updated', message: `${dir}: files brought up to ${branch} at ${to.slice(0, 7)}` };
  }
  const files = [...new Set([...merged.stderr.matchAll(/Entry '(.+?)'/g)].map((m) => m[1]!))];
  const which = files.length ? files.join(', ') : 'files Sluice also changed';
  return {
    state: 'dirty',
    message:
      `${dir} has uncommitted changes to ${which}, and Sluice moved ${branch} from ${from.slice(0, 7)} to ` +
      `${to.slice(0, 7)} under them: a commit from this copy now would undo Sluice's change. Keep your edits ` +
      `and take Sluice's with: git -C ${dir} diff ${from.slice(0, 7)} > mine.patch && git -C ${dir} reset --hard && ` +
      `git -C ${dir} apply --3way mine.patch`,
  };
}
