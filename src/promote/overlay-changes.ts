import type { App } from '../config/index.js';
import { joinPath, type ReadonlyFs } from '../vfs/index.js';
import type { FileChange } from '../source/index.js';
import type { ArtifactRecord } from '../store/ledger-types.js';
import { unifiedDiff } from './diff.js';
import { PromotionError } from './errors.js';
import { editOverlay, type OverlayFiles } from './overlay-edit.js';

export interface OverlayChange {
  changes: FileChange[];
  /** Unified diff of every changed file. */
  diff: string;
}

export function overlayDir(app: Pick<App, 'path'>, env: string): string {
  return joinPath(app.path, 'overlays', env);
}

/** Every file below a directory of a tree, path → text. */
export function readDir(fs: ReadonlyFs, dir: string): OverlayFiles {
  const out: OverlayFiles = new Map();
  if (fs.stat(dir) !== 'dir') return out;
  const walk = (d: string) => {
    for (const e of fs.readDir(d)) {
      const p = joinPath(d, e.name);
      if (e.type === 'dir') walk(p);
      else if (e.type === 'file') out.set(p, new TextDecoder().decode(fs.readFile(p)));
    }
  };
  walk(dir);
  return out;
}

function describe(before: OverlayFiles, after: Map<string, string | null>): OverlayChange {
  const changes: FileChange[] = [];
  let diff = '';
  for (const [path, content] of [...after].sort(([a], [b]) => a.localeCompare(b))) {
    changes.push({ path, content });
    diff += unifiedDiff(path, before.get(path), content ?? undefined);
  }
  return { changes, diff };
}

/** Writes artifacts into an app's overlay for an environment, as it is at a revision. */
export function artifactChange(
  fs: ReadonlyFs,
  app: Pick<App, 'name' | 'path'>,
  env: string,
  artifacts: readonly ArtifactRecord[],
): OverlayChange {
  const dir = overlayDir(app, env);
  const files = readDir(fs, dir);
  if (files.size === 0) {
    throw new PromotionError('PROMOTE_TARGET_MISSING', `app "${app.name}" has no overlay ${dir}/`, {
      file: dir,
      hint: `Create ${dir}/ (a copy of base/ is a start) so each environment has its own artifacts.`,
    });
  }
  return describe(files, editOverlay(files, artifacts, dir));
}

/** Makes an overlay what it was at an earlier revision: files restored, files added since removed. */
export function restoreChange(current: ReadonlyFs, earlier: ReadonlyFs, dir: string): OverlayChange {
  const now = readDir(current, dir);
  const then = readDir(earlier, dir);
  const after = new Map<string, string | null>();
  for (const [p, text] of then) if (now.get(p) !== text) after.set(p, text);
  for (const p of now.keys()) if (!then.has(p)) after.set(p, null);
  return describe(now, after);
}
