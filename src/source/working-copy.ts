import { execFile } from 'node:child_process';

/** What became of a person's clone when the branch it tracks moved. */
export interface WorkingCopyUpdate {
  state: 'updated' | 'current' | 'dirty' | 'diverged' | 'elsewhere' | 'failed';
  /** For people: what happened, and what to do when nothing could be done for them. */
  message: string;
}

function git(dir: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-C', dir, ...args],
      { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, encoding: 'utf8' },
      (err, stdout, stderr) =>
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
          out: `${stdout}${err ? stderr : ''}`.trim(),
        }),
    );
  });
}

/**
 * Brings a person's clone up to the branch Sluice writes to: fetched, then fast-forwarded when
 * it is on that branch, has no commits of its own and no uncommitted change to a tracked file,
 * so the next hand commit starts from what Sluice committed instead of silently reverting it.
 * Otherwise nothing is touched and the message says how to catch up.
 */
export async function fastForwardWorkingCopy(dir: string, branch: string): Promise<WorkingCopyUpdate> {
  const fetched = await git(dir, ['fetch', '--quiet', 'origin']);
  if (fetched.code !== 0) return { state: 'failed', message: `fetching into ${dir} failed: ${fetched.out}` };
  const upstream = `origin/${branch}`;
  const head = (await git(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD'])).out;
  if (head !== branch)
    return {
      state: 'elsewhere',
      message: `${dir} is on ${head || 'a detached HEAD'}, not ${branch}: merge ${upstream} before you push to ${branch}`,
    };
  const [local, remote] = await Promise.all([git(dir, ['rev-parse', 'HEAD']), git(dir, ['rev-parse', upstream])]);
  if (local.out === remote.out) return { state: 'current', message: `${dir} is up to date` };
  const ancestor = await git(dir, ['merge-base', '--is-ancestor', 'HEAD', upstream]);
  if (ancestor.code !== 0)
    return {
      state: 'diverged',
      message: `${dir} has commits ${upstream} does not have: run \`git -C ${dir} pull --rebase\`, then push`,
    };
  const status = await git(dir, ['status', '--porcelain', '--untracked-files=no']);
  if (status.out !== '')
    return {
      state: 'dirty',
      message: `${dir} has uncommitted changes and ${upstream} moved to ${remote.out.slice(0, 7)}: run \`git -C ${dir} pull --autostash\` before you commit, or your commit would start from an old version`,
    };
  const merged = await git(dir, ['merge', '--ff-only', '--quiet', upstream]);
  if (merged.code !== 0) return { state: 'failed', message: `fast-forwarding ${dir} failed: ${merged.out}` };
  return { state: 'updated', message: `${dir} fast-forwarded to ${remote.out.slice(0, 7)}` };
}
