import { SourceError } from '../errors/index.js';
import { redactUrl } from './credentials.js';
import { checkRefName, GitCommandError, runGit, type GitContext } from './git.js';
import { fetchError } from './remote.js';

/**
 * Pushes one branch. Never forced: if the remote moved on, git refuses and the caller gets
 * SOURCE_PUSH_REJECTED, so a promotion cannot overwrite someone else's commit.
 */
export async function pushBranch(
  ctx: GitContext,
  remote: string,
  branch: string,
  timeoutMs: number,
  /** What to push; defaults to the local branch. */
  revision?: string,
): Promise<void> {
  checkRefName(branch);
  const ref = `refs/heads/${branch}`;
  const r = await runGit(ctx, ['push', '--porcelain', remote, `${revision ?? ref}:${ref}`], {
    timeoutMs,
    allowFail: true,
  });
  if (r.code === 0) return;
  // --porcelain reports per-ref outcomes on stdout; a rejection is not a connection problem.
  const report = ctx.scrub(r.stdout.toString('utf8'));
  if (/^!\t/m.test(report) || /\[rejected\]|\[remote rejected\]|non-fast-forward/i.test(r.stderr)) {
    const reason = /^!\t\S+\t(.*)$/m.exec(report)?.[1] ?? 'rejected';
    throw new SourceError(
      'SOURCE_PUSH_REJECTED',
      `push of ${branch} to ${ctx.scrub(redactUrl(remote))} was rejected: ${reason}`,
      {
        hint: 'The remote branch changed or is protected; fetch, rebuild the change on the new revision and push again.',
      },
    );
  }
  throw fetchError(remote, new GitCommandError('push', r.code, r.stderr), ctx.scrub);
}

/**
 * Deletes a branch on the remote. A branch already gone (deleted by the host after a merge,
 * or by hand) counts as deleted.
 */
export async function deleteRemoteBranch(
  ctx: GitContext,
  remote: string,
  branch: string,
  timeoutMs: number,
): Promise<void> {
  checkRefName(branch);
  const r = await runGit(ctx, ['push', '--porcelain', remote, `:refs/heads/${branch}`], { timeoutMs, allowFail: true });
  if (r.code === 0 || /remote ref does not exist|unable to delete .*: remote ref/i.test(r.stderr)) return;
  throw fetchError(remote, new GitCommandError('push', r.code, r.stderr), ctx.scrub);
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
