import type { ReadonlyFs } from '../vfs/index.js';
import type { RenderedResource } from '../model/resource.js';
import type { RenderBudget } from './budget.js';

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
  /**
   * Pins an image in a file of the format's own (Kustomize `images:`), so set-image and
   * promotion leave the manifests as written. Undefined when `dir` has no such file, and the
   * edit goes to the manifests. `files` maps repo paths to text.
   */
  pinImage?(
    files: ReadonlyMap<string, string>,
    dir: string,
    image: ImagePin,
  ): { path: string; text: string } | undefined;
}

/** An image by name as the manifests write it, with the tag and digest to run. */
export interface ImagePin {
  name: string;
  /** The image reference without tag and digest, where known (needed to add an image a file does not set yet). */
  ref?: string;
  tag?: string;
  digest?: string;
}

export interface RenderRequest {
  fs: ReadonlyFs;
  /** Directory to render, relative to the root of `fs` (an overlay or a base). */
  dir: string;
  /** What the render may still read (spec.limits); directory walks check depth and count against it. */
  budget?: RenderBudget;
}
