import type { ReadonlyFs } from '../../vfs/index.js';
import { build, emitAll } from './build/build.js';

export interface KustomizeBuildOptions {
  /** kustomize's --load-restrictor: `rootOnly` (the default) or `none`. */
  loadRestrictions?: 'rootOnly' | 'none';
}

/**
 * Builds the kustomization in `dir` and returns exactly what `kustomize build` (v5.8.1)
 * prints on stdout. Throws a RenderError naming the file (and line where known) on failure.
 */
export function kustomizeBuild(fs: ReadonlyFs, dir: string, options: KustomizeBuildOptions = {}): string {
  return emitAll(build(fs, dir, options.loadRestrictions ?? 'rootOnly').resources);
}
