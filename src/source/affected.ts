import { normalizePath } from '../vfs/index.js';

export interface AppLocation {
  name: string;
  /** Directory of the app relative to the repository root, e.g. `apps/payments`. */
  path: string;
}

export interface AffectedApps {
  /** True when a project-wide file changed, so every app must be looked at again. */
  all: boolean;
  /** Names of affected apps, in the order given. */
  apps: string[];
}

/**
 * Which apps a set of changed paths touches: a change below an app's directory affects that
 * app; a change to the project file affects every app; anything else affects none.
 */
export function affectedApps(
  changed: readonly string[],
  apps: readonly AppLocation[],
  projectFile = 'sluice.yaml',
): AffectedApps {
  const project = normalizePath(projectFile);
  const paths = changed.map(normalizePath);
  if (paths.includes(project)) return { all: true, apps: apps.map((a) => a.name) };
  const hit = apps.filter((app) => {
    const dir = normalizePath(app.path);
    if (dir === '.') return paths.length > 0;
    return paths.some((p) => p === dir || p.startsWith(`${dir}/`));
  });
  return { all: false, apps: hit.map((a) => a.name) };
}
