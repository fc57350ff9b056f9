import { SourceError } from '../errors/index.js';
import { parseCommit } from './commit.js';
import type { CatFileBatch } from './cat-file.js';
import { runGit, type GitContext } from './git.js';
import { parseLsTree } from './tree.js';
import type { CommitMessage } from './message.js';
import { branchTip, writeCommit, type CommitOptions, type CommitResult, type IndexEdit } from './write.js';

export type RevertOptions = Omit<CommitOptions, 'message'> & {
  /** Defaults to `Revert "<subject>"` with a `Sluice-Reverts: <sha>` trailer. */
  message?: CommitMessage | string;
};

interface Side {
  mode: string;
  sha: string;
}

/**
 * Writes a commit on the branch that undoes `commit`. Works path by path without a work tree:
 * each path the commit touched must still hold what the commit left there (or already hold
 * what it replaced); anything else is a conflict that needs a person.
 */
export async function revertCommit(
  ctx: GitContext,
  batch: CatFileBatch,
  commit: string,
  options: RevertOptions,
): Promise<CommitResult> {
  const raw = await batch.read(`${commit}^{commit}`);
  if (!raw)
    throw new SourceError('SOURCE_COMMIT_MISSING', `commit ${commit} not found`, {
      hint: 'Fetch first, or check the SHA.',
    });
  const info = parseCommit(raw.sha, raw.data);
  if (info.parents.length > 1) {
    throw new SourceError(
      'SOURCE_REVERT_UNSUPPORTED',
      `commit ${info.sha.slice(0, 12)} is a merge and cannot be reverted here`,
      {
        hint: 'Revert the individual commits that the merge brought in.',
      },
    );
  }
  const parent = info.parents[0];
  const diff = await runGit(ctx, [
    'diff-tree',
    '-r',
    '-z',
    '--no-renames',
    '--no-commit-id',
    ...(parent ? [parent] : ['--root']),
    info.sha,
  ]);
  const changes = parseRawDiff(diff.stdout);
  const tip = options.expectedRevision ?? (await branchTip(ctx, `refs/heads/${options.branch}`));
  if (!tip)
    throw new SourceError('SOURCE_UNKNOWN_REF', `branch ${options.branch} not found`, {
      hint: 'Revert onto an existing branch.',
    });
  const current = new Map<string, Side>();
  if (changes.length > 0) {
    const ls = await runGit(ctx, ['ls-tree', '-z', '--full-tree', tip, '--', ...changes.map((c) => c.path)]);
    for (const e of parseLsTree(ls.stdout)) current.set(e.path, { mode: e.mode, sha: e.sha });
  }
  const edits: IndexEdit[] = [];
  const conflicts: string[] = [];
  for (const c of changes) {
    const now = current.get(c.path);
    if (same(now, c.before)) continue; // already back to what it was
    if (!same(now, c.after)) {
      conflicts.push(c.path);
      continue;
    }
    edits.push(c.before ? { path: c.path, ...c.before } : { path: c.path, remove: true });
  }
  if (conflicts.length > 0) {
    throw new SourceError(
      'SOURCE_REVERT_CONFLICT',
      `cannot revert ${info.sha.slice(0, 12)}: changed again since: ${conflicts.join(', ')}`,
      {
        hint: 'Later commits changed the same files; revert those first or make the change by hand.',
      },
    );
  }
  const message = options.message ?? {
    subject: `Revert "${info.subject}"`,
    body: `This reverts commit ${info.sha}.`,
    trailers: [{ key: 'Sluice-Reverts', value: info.sha }],
  };
  return writeCommit(ctx, edits, { ...options, expectedRevision: tip, message });
}

interface RawChange {
  path: string;
  before: Side | undefined;
  after: Side | undefined;
}

/** Parses `git diff-tree -r -z` raw output: `:<m1> <m2> <sha1> <sha2> <status>\0<path>\0`. */
export function parseRawDiff(out: Buffer): RawChange[] {
  const fields = out.toString('utf8').split('\0');
  const changes: RawChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const head = fields[i]!;
    if (!head.startsWith(':')) break;
    const [m1, m2, s1, s2] = head.slice(1).split(' ');
    changes.push({ path: fields[i + 1]!, before: side(m1!, s1!), after: side(m2!, s2!) });
  }
  return changes;
}

function side(mode: string, sha: string): Side | undefined {
  return /^0+$/.test(mode) ? undefined : { mode, sha };
}

function same(a: Side | undefined, b: Side | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.mode === b.mode && a.sha === b.sha;
}
