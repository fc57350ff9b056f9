import { RenderError } from '../../errors/index.js';
import type { ReadonlyFs } from '../../vfs/index.js';

export interface KustomizeBuildOptions {
  /** kustomize's --load-restrictor: `rootOnly` (the default) or `none`. */
  loadRestrictions?: 'rootOnly' | 'none';
}

/**
 * Builds the kustomization in `dir` and returns exactly what `kustomize build` prints.
 * Placeholder until the engine lands.
 */
export function kustomizeBuild(_fs: ReadonlyFs, dir: string, _options: KustomizeBuildOptions = {}): string {
  throw new RenderError('KUSTOMIZE_UNAVAILABLE', `cannot build ${dir}: the Kustomize engine is not built yet`);
}
