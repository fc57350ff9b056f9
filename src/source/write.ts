import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceError } from '../errors/index.js';
import { normalizePath } from '../vfs/index.js';
import { checkRefName, gitText, GitCommandError, runGit, type GitContext } from './git.js';
import { formatCommitMessage, type CommitMessage } from './message.js';

export interface Identity {
  name: string;
  email: string;
}

export interface FileChange {
  path: string;
  /** New content, or null to delete the path. */
  content: string | Uint8Array | null;
  /** Defaults to a regular file; a symlink's content is its target. */
  mode?: 'file' | 'executable' | 'symlink';
}

export interface CommitOptions {
  branch: string;
  message: CommitMessage | string;
  author: Identity;
  committer?: Identity;
  /**
   * The branch tip the change was computed from. If the branch has moved since, nothing is
   * written and a SOURCE_CONFLICT is thrown. Defaults to the tip read when the commit starts.
   */
  expectedRevision?: string;
  /** Write a commit even when the tree does not change. */
  allowEmpty?: boolean;
  /**
   * Where a branch that does not exist yet starts (a revision). Without it a new branch starts
   * from an empty tree, which suits a first commit but not a change branch for review.
   */
  startPoint?: string;
  /** Sign the commit (as `git commit -S` does) with this key. */
  sign?: CommitSigningKey;
}

/** A key git signs commits with: an SSH private key file, or an OpenPGP key in a GnuPG home. */
export interface CommitSigningKey {
  format: 'ssh' | 'openpgp';
  /** ssh: the private key file; openpgp: the key id or fingerprint. */
  key: string;
  gnupgHome?: string;
}

export interface CommitResult {
  /** The new branch tip (or the unchanged one when there was nothing to commit). */
  revision: string;
  /** The tip the commit was placed on, undefined for a new branch. */
  parent: string | undefined;
  changed: boolean;
}

/** One entry to place in the index: a blob by id, or a removal. */
export type IndexEdit = { path: string; mode: string; sha: string } | { path: string; remove: true };

const MODES = { file: '100644', executable: '100755', symlink: '120000' } as const;

/** Commits file changes onto a branch without a work tree. */
export async function commitFiles(
  ctx: GitContext,
  changes: readonly FileChange[],
  options: CommitOptions,
): Promise<CommitResult> {
  const edits: IndexEdit[] = [];
  const writes: { path: string; mode: string; content: string | Uint8Array }[] = [];
  for (const c of changes) {
    const path = treePath(c.path);
    if (c.content === null) edits.push({ path, remove: true });
    else writes.push({ path, mode: MODES[c.mode ?? 'file'], content: c.content });
  }
  const shas = await writeBlobs(
    ctx,
    writes.map((w) => w.content),
  );
  writes.forEach((w, i) => edits.push({ path: w.path, mode: w.mode, sha: shas[i]! }));
  return writeCommit(ctx, edits, options);
}

/** Stores contents as blobs with one git process, however many there are. */
async function writeBlobs(ctx: GitContext, contents: readonly (string | Uint8Array)[]): Promise<string[]> {
  if (contents.length === 0) return [];
  if (contents.length === 1)
    return [await gitText(ctx, ['hash-object', '-w', '--stdin'], { input: Buffer.from(contents[0]!) })];
  const dir = await mkdtemp(join(tmpdir(), 'sluice-blobs-'));
  try {
    const files = await Promise.all(
      contents.map(async (c, i) => {
        const file = join(dir, String(i));
        await writeFile(file, c);
        return file;
      }),
    );
    const out = await gitText(ctx, ['hash-object', '-w', '--no-filters', '--stdin-paths'], {
      input: `${files.join('\n')}\n`,
    });
    return out.split('\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Applies index edits on top of the branch tip in a temporary index, writes the tree and the
 * commit, then moves the branch with update-ref's expected old value so a concurrent update
 * is detected instead of overwritten.
 */
export async function writeCommit(
  ctx: GitContext,
  edits: readonly IndexEdit[],
  options: CommitOptions,
): Promise<CommitResult> {
  checkRefName(options.branch);
  const ref = `refs/heads/${options.branch}`;
  const tip = await branchTip(ctx, ref);
  if (options.expectedRevision !== undefined && options.expectedRevision !== tip) {
    throw conflict(options.branch, options.expectedRevision, tip);
  }
  const parent =
    tip ??
    (options.startPoint ? await gitText(ctx, ['rev-parse', '--verify', `${options.startPoint}^{commit}`]) : undefined);
  const dir = await mkdtemp(join(tmpdir(), 'sluice-index-'));
  try {
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    await runGit(ctx, parent ? ['read-tree', parent] : ['read-tree', '--empty'], { env });
    const zero = '0'.repeat(parent?.length ?? 40);
    const input = edits
      .map((e) => ('remove' in e ? `0 ${zero}\t${e.path}\0` : `${e.mode} ${e.sha}\t${e.path}\0`))
      .join('');
    await runGit(ctx, ['update-index', '-z', '--index-info'], { env, input });
    const tree = await gitText(ctx, ['write-tree'], { env });
    if (parent) await checkNoImplicitRemovals(ctx, parent, tree, edits);
    if (parent && !options.allowEmpty && tree === (await gitText(ctx, ['rev-parse', `${parent}^{tree}`]))) {
      return { revision: parent, parent, changed: false };
    }
    const message = typeof options.message === 'string' ? options.message : formatCommitMessage(options.message);
    const committer = options.committer ?? options.author;
    const sign = options.sign
      ? [
          '-c',
          `gpg.format=${options.sign.format}`,
          '-c',
          `user.signingkey=${options.sign.key}`,
          ...(options.sign.format === 'ssh' ? ['-c', 'gpg.ssh.program=ssh-keygen'] : ['-c', 'gpg.program=gpg']),
        ]
      : [];
    const revision = await gitText(
      ctx,
      [...sign, 'commit-tree', ...(options.sign ? ['-S'] : []), tree, ...(parent ? ['-p', parent] : []), '-F', '-'],
      {
        input: message,
        env: {
          ...(options.sign?.gnupgHome ? { GNUPGHOME: options.sign.gnupgHome } : {}),
          GIT_AUTHOR_NAME: options.author.name,
          GIT_AUTHOR_EMAIL: options.author.email,
          GIT_COMMITTER_NAME: committer.name,
          GIT_COMMITTER_EMAIL: committer.email,
        },
      },
    );
    await moveBranch(ctx, options.branch, revision, tip ?? zero);
    return { revision, parent, changed: true };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The index silently drops a file when a path below it is written (and a directory when a
 * file takes its name). Such a change almost certainly was not meant, so it is refused.
 */
async function checkNoImplicitRemovals(
  ctx: GitContext,
  parent: string,
  tree: string,
  edits: readonly IndexEdit[],
): Promise<void> {
  const out = await runGit(ctx, [
    'diff-tree',
    '-r',
    '-z',
    '--no-renames',
    '--name-only',
    '--diff-filter=D',
    parent,
    tree,
  ]);
  const asked = new Set(edits.filter((e) => 'remove' in e).map((e) => e.path));
  const lost = out.stdout
    .toString('utf8')
    .split('\0')
    .filter((p) => p !== '' && !asked.has(p));
  if (lost.length > 0) {
    throw new SourceError(
      'SOURCE_BAD_PATH',
      `the change would replace ${lost.slice(0, 5).join(', ')} with a directory or a file of the same name`,
      {
        hint: 'Delete the conflicting path explicitly in the same change if that is intended.',
      },
    );
  }
}

export async function branchTip(ctx: GitContext, ref: string): Promise<string | undefined> {
  const r = await runGit(ctx, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { allowFail: true });
  return r.code === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

async function moveBranch(ctx: GitContext, branch: string, revision: string, old: string): Promise<void> {
  try {
    await runGit(ctx, ['update-ref', '-m', 'sluice: commit', `refs/heads/${branch}`, revision, old]);
  } catch (e) {
    if (e instanceof GitCommandError && /cannot lock ref|but expected|reference already exists/.test(e.stderr)) {
      throw conflict(branch, old, await branchTip(ctx, `refs/heads/${branch}`));
    }
    throw e;
  }
}

function conflict(branch: string, expected: string | undefined, actual: string | undefined): SourceError {
  const want = expected && !/^0+$/.test(expected) ? expected.slice(0, 12) : '(no branch)';
  return new SourceError(
    'SOURCE_CONFLICT',
    `branch ${branch} moved: expected ${want}, found ${actual?.slice(0, 12) ?? '(no branch)'}`,
    { hint: 'Someone else committed to the branch first; re-read the new revision and try again.' },
  );
}

function treePath(p: string): string {
  const n = normalizePath(p);
  if (n === '.' || n === '..' || n.startsWith('../') || n.split('/').includes('.git')) {
    throw new SourceError(
      'SOURCE_BAD_PATH',
      `cannot write ${JSON.stringify(p)}: not a file path inside the repository`,
      {
        hint: 'Use a path relative to the repository root.',
      },
    );
  }
  return n;
}
