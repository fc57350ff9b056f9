import { SourceError } from '../errors/index.js';
import { MemoryFs, normalizePath } from '../vfs/index.js';
import type { CatFileBatch } from './cat-file.js';
import { runGit, type GitContext } from './git.js';

export interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  path: string;
  /** Bytes of a blob, when listed with `-l`. */
  size?: number;
}

/** Parses `git ls-tree -r -z [-l]` output: `<mode> <type> <sha>[ <size>]\t<path>\0`. */
export function parseLsTree(out: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of out.toString('utf8').split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    // With -l the size is padded with spaces to line up.
    const [mode, type, sha, size] = record.slice(0, tab).split(/ +/);
    if (tab < 0 || !mode || !type || !sha)
      throw new SourceError('SOURCE_GIT_FAILED', `unexpected git ls-tree output: ${record}`);
    const entry: TreeEntry = { mode, type, sha, path: record.slice(tab + 1) };
    if (size !== undefined && /^\d+$/.test(size)) entry.size = Number(size);
    entries.push(entry);
  }
  return entries;
}

/** Blobs above this are listed in a tree but never loaded (a render's own limits are far lower). */
export const DEFAULT_MAX_BLOB_SIZE = 256 * 1024 * 1024;

export async function listTree(ctx: GitContext, revision: string, prefix?: string): Promise<TreeEntry[]> {
  const args = ['ls-tree', '-r', '-z', '-l', '--full-tree', revision];
  const p = prefix === undefined ? '.' : normalizePath(prefix);
  if (p.startsWith('..')) throw new SourceError('SOURCE_BAD_PATH', `path ${prefix} leaves the repository`);
  if (p !== '.') args.push('--', p);
  return parseLsTree((await runGit(ctx, args)).stdout);
}

export interface TreeNotes {
  /** Submodule paths, which have no content in this repository and are left out. */
  skippedSubmodules: string[];
}

/**
 * Builds an in-memory copy of the tree at `revision`, optionally only below `prefix`. Paths
 * stay relative to the repository root so links between an app's directories keep working.
 */
export async function buildTree(
  ctx: GitContext,
  batch: CatFileBatch,
  revision: string,
  prefix?: string,
  maxBlobSize = DEFAULT_MAX_BLOB_SIZE,
): Promise<{ fs: MemoryFs; notes: TreeNotes }> {
  const entries = await listTree(ctx, revision, prefix);
  const fs = new MemoryFs();
  const notes: TreeNotes = { skippedSubmodules: [] };
  const blobs = new Map<string, Promise<Buffer>>();
  const readBlob = (sha: string): Promise<Buffer> => {
    let p = blobs.get(sha);
    if (!p) {
      p = batch.read(sha).then((o) => {
        if (!o)
          throw new SourceError('SOURCE_COMMIT_MISSING', `object ${sha} of revision ${revision} is missing`, {
            hint: 'The repository is incomplete (shallow or damaged); fetch again or re-clone the cache.',
          });
        return o.data;
      });
      blobs.set(sha, p);
    }
    return p;
  };
  // Requests are issued together so cat-file answers them as one stream.
  await Promise.all(
    entries.map(async (e) => {
      if (e.mode === '160000') {
        notes.skippedSubmodules.push(e.path);
      } else if (e.mode === '120000') {
        fs.addSymlink(e.path, (await readBlob(e.sha)).toString('utf8'));
      } else if (e.type === 'blob' && e.size !== undefined && e.size > maxBlobSize) {
        fs.addUnloaded(e.path, e.size, maxBlobSize);
      } else if (e.type === 'blob') {
        fs.addFile(e.path, new Uint8Array(await readBlob(e.sha)));
      }
    }),
  );
  return { fs, notes };
}
