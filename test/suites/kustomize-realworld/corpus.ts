import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SUITE_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(SUITE_DIR, '../../..');
export const BASELINE_FILE = join(SUITE_DIR, 'baseline.json');

export interface Corpus {
  kustomizeVersion: string;
  /** Public repositories, each pinned to one commit so the expected output never moves. */
  repos: { repo: string; commit: string }[];
}

/**
 * Why a root is left out: kustomize itself needs something that cannot run here (the network,
 * helm, an exec plugin). A root kustomize refuses for any other reason stays in, and the
 * engine must refuse it too.
 */
export type NotApplicable = 'remote' | 'helm' | 'plugin';

export interface Root {
  /** The kustomization directory, relative to the repository. */
  dir: string;
  expect: 'output' | 'error';
  /** kustomize's first error line, for `expect: 'error'` and left-out roots. */
  error?: string;
  notApplicable?: NotApplicable;
}

export interface RepoManifest {
  repo: string;
  commit: string;
  kustomizeVersion: string;
  roots: Root[];
}

export interface Baseline {
  /** Applicable roots that must stay byte-identical (or refused, when kustomize refuses). */
  passed: number;
  applicable: number;
  /** Applicable roots the engine does not yet match, each with why; CI fails on any other. */
  knownDifferences: Record<string, string>;
}

export function readCorpus(): Corpus {
  return JSON.parse(readFileSync(join(SUITE_DIR, 'corpus.json'), 'utf8')) as Corpus;
}

export function readBaseline(): Baseline {
  return JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) as Baseline;
}

/** Where the search tool's `fetch` leaves public repositories: `<dir>/<owner>+<name>/repo`. */
export function mirrorOf(repo: string): string {
  const base = process.env.SLUICE_MIRROR_DIR ?? '/work/.mirror';
  return join(base, repo.replace('/', '+'), 'repo');
}

export function cacheRoot(): string {
  const base = process.env.SLUICE_CACHE ? resolve(process.env.SLUICE_CACHE) : join(REPO_ROOT, '.cache');
  return join(base, 'kustomize-realworld');
}

/** One extracted repository at its pinned commit, with kustomize's output per root. */
export function repoDir(version: string, repo: string, commit: string): string {
  return join(cacheRoot(), version, `${repo.replace('/', '+')}@${commit.slice(0, 12)}`);
}

export function readManifest(dir: string): RepoManifest | undefined {
  const f = join(dir, 'manifest.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as RepoManifest) : undefined;
}

/** `expected/<n>.yaml` for the n-th root; names stay short and flat. */
export function expectedFile(dir: string, index: number): string {
  return join(dir, 'expected', `${index}.yaml`);
}
