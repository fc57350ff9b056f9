import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Real repositories in temporary directories, built with git itself, for the tests of this part. */

const ID = ['-c', 'user.name=Test Author', '-c', 'user.email=author@example.com', '-c', 'commit.gpgsign=false'];

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...ID, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export function tempDir(label = 'sluice-src-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), label));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function initRepo(dir: string, branch = 'main'): string {
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', branch, dir]);
  return dir;
}

export type FileSpec = string | null | { symlink: string };

/** Writes files into the work tree and commits them with git itself; null deletes. */
export function commit(dir: string, files: Record<string, FileSpec>, message: string): string {
  for (const [path, spec] of Object.entries(files)) {
    const abs = join(dir, path);
    if (spec === null) {
      git(dir, 'rm', '-q', '--', path);
      continue;
    }
    mkdirSync(dirname(abs), { recursive: true });
    rmSync(abs, { force: true });
    if (typeof spec === 'string') writeFileSync(abs, spec);
    else symlinkSync(spec.symlink, abs);
    git(dir, 'add', '--', path);
  }
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** Moves a branch to a new empty commit with plumbing only, as a push or a tool would: no index, no work tree. */
export function advance(dir: string, branch: string): string {
  const ref = `refs/heads/${branch}`;
  const next = git(dir, 'commit-tree', `${ref}^{tree}`, '-p', ref, '-m', 'Advance');
  git(dir, 'update-ref', ref, next);
  return next;
}
