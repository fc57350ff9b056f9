import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SourceError } from '../errors/index.js';
import { GitCommandError, runGit, type GitContext } from './git.js';

export interface LocalRepo {
  /** The repository's git directory (for a linked worktree, its own directory). */
  gitDir: string;
  /** Where shared refs and objects live; differs from gitDir for linked worktrees. */
  commonDir: string;
}

/**
 * Finds the git directory of a repository on disk without touching its work tree. Discovery
 * stops at the given path, so a plain directory that happens to sit inside another
 * repository is reported as "not a repository" rather than silently reading the outer one.
 */
export async function locateLocalRepo(ctx: GitContext, path: string): Promise<LocalRepo> {
  const abs = resolve(path);
  const info = await stat(abs).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new SourceError('SOURCE_NOT_A_REPO', `${abs} does not exist or is not a directory`, {
      hint: 'Point the source at a directory containing a Git repository, or use a URL.',
    });
  }
  try {
    const out = await runGit(ctx, ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'], {
      bare: true,
      cwd: abs,
      env: { GIT_CEILING_DIRECTORIES: dirname(abs) },
    });
    const [gitDir, commonDir] = out.stdout.toString('utf8').trim().split('\n');
    return { gitDir: gitDir!, commonDir: commonDir ?? gitDir! };
  } catch (e) {
    if (e instanceof GitCommandError && /not a git repository/i.test(e.stderr)) {
      throw new SourceError('SOURCE_NOT_A_REPO', `${abs} is not a Git repository`, {
        hint: 'Run `git init` there and commit your config, or point the source at the right directory.',
        cause: e,
      });
    }
    if (e instanceof GitCommandError && /dubious ownership/i.test(e.stderr)) {
      throw new SourceError('SOURCE_NOT_A_REPO', `${abs} is owned by another user and git refuses to read it`, {
        hint: `Add it as safe: git config --global --add safe.directory ${abs}`,
        cause: e,
      });
    }
    throw e;
  }
}

/** The branch HEAD points at, for local sources that name none. */
export async function localHeadBranch(ctx: GitContext, path: string): Promise<string> {
  const r = await runGit(ctx, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFail: true });
  const branch = r.stdout.toString('utf8').trim();
  if (r.code !== 0 || !branch) {
    throw new SourceError('SOURCE_BRANCH_NOT_FOUND', `${path} has a detached HEAD, so there is no branch to follow`, {
      hint: 'Name the branch in the source spec.',
    });
  }
  return branch;
}
