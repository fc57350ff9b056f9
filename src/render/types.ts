import type { ReadonlyFs } from '../vfs/index.js';
import type { RenderedResource } from '../model/resource.js';

/**
 * A renderer turns one directory of a config repo into resources. It is the only part that
 * knows a manifest format; it does no I/O beyond the ReadonlyFs it is handed.
 */
export interface Renderer {
  /** Short name used in messages and `sluice render --renderer`: `plain`, `kustomize`, `compose`. */
  readonly name: string;
  /** True if this renderer recognises `dir` (e.g. a kustomization.yaml is present). */
  detect(fs: ReadonlyFs, dir: string): boolean;
  /** Renders `dir`. Throws a RenderError naming the file and line on any problem. */
  render(request: RenderRequest): RenderedResource[];
}

export interface RenderRequest {
  fs: ReadonlyFs;
  /** Directory to render, relative to the root of `fs` (an overlay or a base). */
  dir: string;
}
