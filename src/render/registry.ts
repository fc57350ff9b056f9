import { RenderError, SymlinkError } from '../errors/index.js';
import type { App } from '../config/index.js';
import { resourceKey, resourceRef, type RenderedResource } from '../model/resource.js';
import { joinPath, type ReadonlyFs } from '../vfs/index.js';
import { composeRenderer } from './compose/renderer.js';
import { kustomizeRenderer } from './kustomize/renderer.js';
import { plainRenderer } from './plain/index.js';
import type { ImagePin, Renderer } from './types.js';
import { BudgetFs, RenderBudget } from './budget.js';
import { refuseNul } from './text.js';

/** Most specific first; plain YAML accepts any directory, so it is last. */
const renderers: Renderer[] = [kustomizeRenderer, composeRenderer, plainRenderer];

export function rendererNames(): string[] {
  return renderers.map((r) => r.name);
}

/** Where the overlay's format pins an image itself, that file edited; undefined leaves it to the manifests. */
export function pinImage(
  files: ReadonlyMap<string, string>,
  dir: string,
  image: ImagePin,
): { path: string; text: string } | undefined {
  for (const r of renderers) {
    const pinned = r.pinImage?.(files, dir, image);
    if (pinned) return pinned;
  }
  return undefined;
}

export function rendererFor(fs: ReadonlyFs, dir: string, name?: string): Renderer {
  if (name) {
    const r = renderers.find((x) => x.name === name);
    if (!r)
      throw new RenderError('UNKNOWN_RENDERER', `no renderer named "${name}"`, {
        hint: `Use one of: ${rendererNames().join(', ')}.`,
      });
    return r;
  }
  return renderers.find((r) => r.detect(fs, dir))!;
}

/** The directory that holds an app's desired state for an environment: its overlay, else its base. */
export function appDirectory(fs: ReadonlyFs, app: Pick<App, 'name' | 'path'>, env: string): string {
  const overlay = joinPath(app.path, 'overlays', env);
  const base = joinPath(app.path, 'base');
  for (const dir of [overlay, base, app.path]) {
    if (fs.stat(dir) === 'dir') return dir;
    // A link where the directory should be that leads nowhere usable is named, not passed over.
    if (fs.lstat(dir) === 'symlink') throw badDirectoryLink(fs, dir);
  }
  throw new RenderError('APP_DIR_MISSING', `app "${app.name}" has no directory ${overlay} (nor ${base})`, {
    file: app.path,
    hint: `Create ${overlay}/ with the manifests for ${env}, or fix the app's path in sluice.yaml.`,
  });
}

/**
 * True if the app has something to deploy in that environment. A link in place of the overlay
 * counts even when it is bad: the render then fails naming it, instead of the environment
 * silently losing its overlay (and its running app being pruned).
 */
export function hasOverlay(fs: ReadonlyFs, app: Pick<App, 'path'>, env: string): boolean {
  const overlay = joinPath(app.path, 'overlays', env);
  return fs.stat(overlay) === 'dir' || fs.lstat(overlay) === 'symlink';
}

function badDirectoryLink(fs: ReadonlyFs, dir: string): RenderError {
  fs.realPath(dir); // throws, naming the link, when it leaves the repository or loops
  const target = fs.readLink(dir);
  return new SymlinkError('SYMLINK_BROKEN', `symbolic link ${dir} points to ${target}, which is not a directory`, {
    file: dir,
    hint: `Point ${dir} at a directory in the repository, or remove it.`,
  });
}

export interface AppRender {
  renderer: string;
  dir: string;
  resources: RenderedResource[];
}

/** Renders one app for one environment and checks the result is a set (no resource twice). */
export function renderApp(
  fs: ReadonlyFs,
  app: Pick<App, 'name' | 'path' | 'limits'>,
  env: string,
  rendererName?: string,
): AppRender {
  const dir = appDirectory(fs, app, env);
  const renderer = rendererFor(fs, dir, rendererName);
  const budget = new RenderBudget(dir, app.limits);
  const resources = renderer.render({ fs: new BudgetFs(fs, budget), dir, budget });
  for (const r of resources) refuseNul(r);
  const seen = new Map<string, RenderedResource>();
  for (const r of resources) {
    const key = resourceKey(r.object);
    const first = seen.get(key);
    if (first) {
      const where = first.origin ? ` (first in ${first.origin.file}:${first.origin.line ?? 1})` : '';
      throw new RenderError('DUPLICATE_RESOURCE', `${resourceRef(r.object)} is defined twice${where}`, {
        file: r.origin?.file,
        line: r.origin?.line,
        resource: resourceRef(r.object),
        hint: 'Each resource may appear once per app and environment; remove or rename one.',
      });
    }
    seen.set(key, r);
  }
  return { renderer: renderer.name, dir, resources };
}
