/**
 * Makes the real-world corpus: extracts each pinned repository from its mirror, finds every
 * kustomization root in it and records what the real `kustomize build` prints for it (or the
 * error it gives). Runs once per kustomize version and commit; later runs reuse the cache.
 *   tsx test/suites/kustomize-realworld/prepare.ts
 * Nothing from these repositories is committed: only their names and commits (corpus.json).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  expectedFile,
  mirrorOf,
  readCorpus,
  readManifest,
  repoDir,
  type NotApplicable,
  type RepoManifest,
  type Root,
} from './corpus.js';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const SKIP_DIRS = new Set(['.git', 'node_modules', 'vendor']);

function findRoots(tree: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    const names = readdirSync(dir);
    if (names.some((n) => KUSTOMIZATION_FILES.includes(n))) out.push(relative(tree, dir) || '.');
    for (const n of names.sort()) {
      if (SKIP_DIRS.has(n)) continue;
      const p = join(dir, n);
      // Not through links: a tree may hold a link to its own parent (argo-cd's tests do).
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(p);
    }
  };
  walk(tree);
  return out;
}

/** kustomize's reasons that mean "cannot be built here", not "this tree is wrong". */
function notApplicable(error: string): NotApplicable | undefined {
  if (/helm/i.test(error)) return 'helm';
  if (/exec plugin|plugins are disabled|unable to load plugin|--enable-alpha-plugins|--enable-exec/i.test(error))
    return 'plugin';
  if (/https?:\/\/|git@|github\.com\/|\bgit (fetch|clone)\b|ssh:\/\/|no such host|dial tcp/i.test(error))
    return 'remote';
  return undefined;
}

function missingBlobs(mirror: string, commit: string): string[] {
  const entries = execFileSync('git', ['--git-dir', mirror, 'ls-tree', '-r', '-z', commit], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  })
    .split('\0')
    .filter(Boolean)
    .map((l) => {
      const [meta, path] = [l.slice(0, l.indexOf('\t')), l.slice(l.indexOf('\t') + 1)];
      const [, type, sha] = meta.split(' ');
      return { type, sha: sha!, path };
    })
    .filter((e) => e.type === 'blob');
  const check = execFileSync('git', ['--git-dir', mirror, 'cat-file', '--batch-check'], {
    input: entries.map((e) => e.sha).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  }).split('\n');
  return entries.filter((_, i) => check[i]?.endsWith(' missing')).map((e) => e.path);
}

function prepareRepo(version: string, repo: string, commit: string): RepoManifest {
  const dir = repoDir(version, repo, commit);
  const cached = readManifest(dir);
  if (cached) return cached;
  const mirror = mirrorOf(repo);
  try {
    execFileSync('git', ['--git-dir', mirror, 'cat-file', '-e', `${commit}^{commit}`], { stdio: 'pipe' });
  } catch {
    throw new Error(
      `${repo}: commit ${commit} not found in ${mirror}; bring the repository with the search tool's fetch (SLUICE_MIRROR_DIR sets where mirrors are)`,
    );
  }
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const tree = join(tmp, 'tree');
  mkdirSync(tree, { recursive: true });
  // A mirror may lack its largest blobs (images, archives): those paths are left out of the
  // tree, the same tree both kustomize and the engine read.
  const missing = missingBlobs(mirror, commit);
  // Piped, not buffered: some repositories are hundreds of megabytes.
  execFileSync(
    'bash',
    [
      '-o',
      'pipefail',
      '-c',
      'git --git-dir "$1" archive --format=tar "$2" -- . "${@:4}" | tar -x -C "$3"',
      'bash',
      mirror,
      commit,
      tree,
      ...missing.map((p) => `:(exclude,literal)${p}`),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  mkdirSync(join(tmp, 'expected'));
  const roots: Root[] = [];
  for (const [i, rootDir] of findRoots(tree).entries()) {
    const run = spawnSync('kustomize', ['build', rootDir], {
      cwd: tree,
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 512 << 20,
      // No credentials, no network caches of the machine: a remote base fails as in CI.
      env: { PATH: process.env.PATH ?? '', HOME: tmp, GIT_TERMINAL_PROMPT: '0' },
    });
    if (run.status === 0) {
      writeFileSync(expectedFile(tmp, i), run.stdout);
      roots.push({ dir: rootDir, expect: 'output' });
      continue;
    }
    const error = (run.stderr || String(run.error ?? 'kustomize failed')).trim().split('\n').slice(-1)[0] ?? '';
    const na = notApplicable(run.stderr ?? '');
    roots.push({ dir: rootDir, expect: 'error', error: error.slice(0, 400), ...(na ? { notApplicable: na } : {}) });
  }
  const manifest: RepoManifest = { repo, commit, kustomizeVersion: version, roots };
  writeFileSync(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return manifest;
}

const corpus = readCorpus();
const version = execFileSync('kustomize', ['version'], { encoding: 'utf8' }).trim();
if (version !== corpus.kustomizeVersion) {
  console.error(`kustomize ${version} is on PATH; the corpus is recorded with ${corpus.kustomizeVersion}`);
  process.exit(1);
}
let failed = false;
for (const { repo, commit } of corpus.repos) {
  const start = Date.now();
  try {
    const m = prepareRepo(corpus.kustomizeVersion, repo, commit);
    const built = m.roots.filter((r) => r.expect === 'output').length;
    const na = m.roots.filter((r) => r.notApplicable).length;
    console.log(
      `${repo}: ${m.roots.length} roots, ${built} built, ${na} need what cannot run here (${Date.now() - start} ms)`,
    );
  } catch (e) {
    failed = true;
    console.error((e as Error).message);
  }
}
process.exit(failed ? 1 : 0);
