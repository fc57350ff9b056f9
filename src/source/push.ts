import { SourceError } from '../errors/index.js';
import { redactUrl } from './credentials.js';
import { checkRefName, GitCommandError, runGit, type GitContext } from './git.js';
import { fetchError } from './remote.js';

/**
 * Pushes one branch. Never forced: if the remote moved on, git refuses and the caller gets
 * SOURCE_PUSH_REJECTED, so a promotion cannot overwrite someone else's commit.
 */
export async function pushBranch(ctx: GitContext, remote: string, branch: string, timeoutMs: number): Promise<void> {
  checkRefName(branch);
  const ref = `refs/heads/${branch}`;
  try {
    await runGit(ctx, ['push', '--quiet', '--porcelain', remote, `${ref}:${ref}`], { timeoutMs });
  } catch (e) {
    if (!(e instanceof GitCommandError)) throw e;
    if (/\[rejected\]|non-fast-forward|fetch first|\[remote rejected\]/i.test(e.stderr + e.message)) {
      throw new SourceError('SOURCE_PUSH_REJECTED', `push of ${branch} to ${ctx.scrub(redactUrl(remote))} was rejected`, {
        hint: 'The remote branch changed or is protected; fetch, rebuild the change on the new revision and push again.',
        cause: e,
      });
    }
    throw fetchError(remote, e, ctx.scrub);
  }
}

/** The branch a remote's HEAD points at, for sources that name no branch. */
export async function remoteDefaultBranch(ctx: GitContext, url: string, timeoutMs: number): Promise<string> {
  let out: string;
  try {
    out = (await runGit(ctx, ['ls-remote', '--symref', url, 'HEAD'], { timeoutMs })).stdout.toString('utf8');
  } catch (e) {
    throw e instanceof GitCommandError ? fetchError(url, e, ctx.scrub) : e;
  }
  const m = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out);
  if (!m) {
    throw new SourceError('SOURCE_UNKNOWN_REF', `${ctx.scrub(redactUrl(url))} has no default branch`, {
      hint: 'Name the branch to follow in the source spec.',
    });
  }
  return m[1]!;
}
