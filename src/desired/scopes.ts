import type { App, Environment, Project } from '../config/index.js';
import { hasOverlay } from '../render/index.js';
import type { ReadonlyFs } from '../vfs/index.js';

export interface ScopeRef {
  app: App;
  env: Environment;
}

/**
 * Which apps run in which environments at a revision: those an app names explicitly, else
 * every environment it has an overlay for, else (no overlays at all) every environment.
 */
export function deployments(project: Project, fs: ReadonlyFs): ScopeRef[] {
  const out: ScopeRef[] = [];
  for (const app of project.apps) {
    const named = app.environments;
    const withOverlay = project.environments.filter((e) => hasOverlay(fs, app, e.name));
    for (const env of project.environments) {
      const included = named ? named.includes(env.name) : withOverlay.length === 0 || withOverlay.includes(env);
      if (included) out.push({ app, env });
    }
  }
  return out;
}

/** Whether a change to these paths can change what an app renders. */
export function affectsApp(changed: readonly string[], appPath: string): boolean {
  const prefix = `${appPath.replace(/\/+$/, '')}/`;
  return changed.some((p) => p === 'sluice.yaml' || p.startsWith(prefix));
}

export function scopeKey(app: string, env: string): string {
  return `${app}@${env}`;
}
