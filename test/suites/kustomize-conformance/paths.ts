import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SUITE_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(SUITE_DIR, '../../..');
export const OWN_DIR = join(SUITE_DIR, 'own');
export const BASELINE_FILE = join(SUITE_DIR, 'baseline.json');

export interface Baseline {
  /** The kustomize release whose `kustomize build` output is the reference. */
  kustomizeVersion: string;
  /** Applicable cases that must stay byte-identical; CI fails below this. */
  passed: number;
  /** For information: applicable cases when the baseline was last raised. */
  applicable: number;
}

export function readBaseline(): Baseline {
  return JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) as Baseline;
}

/** `$SLUICE_CACHE/kustomize-conformance` (default `.cache/kustomize-conformance` in the repo). */
export function cacheRoot(): string {
  const base = process.env.SLUICE_CACHE ? resolve(process.env.SLUICE_CACHE) : join(REPO_ROOT, '.cache');
  return join(base, 'kustomize-conformance');
}

/** Where the generator wrote the corpus for one kustomize version. */
export function corpusDir(version: string): string {
  return process.env.SLUICE_KUSTOMIZE_CORPUS
    ? resolve(process.env.SLUICE_KUSTOMIZE_CORPUS)
    : join(cacheRoot(), version);
}

export function corpusPresent(version: string): boolean {
  return existsSync(join(corpusDir(version), 'krusty', 'manifest.json'));
}
