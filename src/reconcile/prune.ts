import type { Project } from '../config/index.js';
import type { DeclaredElsewhere, Provider, ProviderLog, Scope } from '../providers/types.js';
import type { NewEvent } from '../store/types.js';
import type { ReadonlyFs } from '../vfs/index.js';
import { scopeKey, type ScopeRef } from './targets.js';

interface Declared {
  revision: string;
  fs: ReadonlyFs;
  project: Project;
  scopes: ScopeRef[];
}

export interface Removed {
  app: string;
  env: string;
  /** The environment as the last revision that declared the scope had it. */
  previous: ScopeRef;
}

/** Scopes the previous revision declared and the current one does not. */
export function removedScopes(previous: Declared, current: Declared): Removed[] {
  const now = keysOf(current.scopes);
  return previous.scopes
    .filter((old) => !now.has(scopeKey(old.app.name, old.env.name)))
    .map((old) => ({ app: old.app.name, env: old.env.name, previous: old }));
}

/** The scopes' keys, for lookups that stay linear at 10,000 scopes. */
function keysOf(scopes: readonly ScopeRef[]): Set<string> {
  return new Set(scopes.map((r) => scopeKey(r.app.name, r.env.name)));
}

/** Why Git no longer declares a scope, in the words a person would look for. */
export function whyRemoved(current: Project, app: string, env: string, appPath?: string): string {
  if (!current.environments.some((e) => e.name === env)) return `environment "${env}" is no longer in sluice.yaml`;
  const a = current.apps.find((x) => x.name === app);
  if (!a) return `app "${app}" is no longer in sluice.yaml`;
  if (a.environments) return `sluice.yaml no longer lists "${env}" in the environments of app "${app}"`;
  return `${appPath ?? a.path}/overlays/${env} was removed (an app with overlays runs only in the environments it has an overlay for)`;
}

export interface PruneDeps {
  current: Declared;
  previous: Declared | undefined;
  removed: Removed[];
  provider: (project: Project, target: string) => Promise<Provider>;
  /** What the scopes of the current revision declare on a target, but the given one. */
  declaredElsewhere: (project: Project, target: string, scope: Scope) => Promise<DeclaredElsewhere | undefined>;
  addEvent: (e: NewEvent) => Promise<unknown>;
  log: ProviderLog;
}

/**
 * Removes what runs for scopes Git no longer declares. The environment's `prune` decides, as
 * the last revision that declared the scope had it; a scope whose environment is gone
 * altogether is removed, since nothing declares it any more. Every removal is an event that names why.
 */
export async function pruneUndeclared(d: PruneDeps): Promise<void> {
  const { current } = d;
  const project = current.project;
  const done = new Set<string>();
  const keys = keysOf(current.scopes);
  const declared = (s: Scope) => keys.has(scopeKey(s.app, s.env));
  const remove = async (p: Project, target: string, scope: Scope, prune: boolean, why: string) => {
    done.add(scopeKey(scope.app, scope.env));
    if (!prune) {
      await d.addEvent({
        project: p.name,
        app: scope.app,
        env: scope.env,
        type: 'app.orphaned',
        severity: 'warning',
        message: `${scope.app} is no longer deployed to ${scope.env}: ${why}; prune is off, so what runs is left in place`,
      });
      return;
    }
    try {
      const provider = await d.provider(p, target);
      // What another app still declares stays, even when this app was the one that applied it.
      const declaredElsewhere = await d.declaredElsewhere(p, target, scope);
      await provider.destroy(scope, declaredElsewhere ? { declaredElsewhere } : {});
      await d.addEvent({
        project: p.name,
        app: scope.app,
        env: scope.env,
        type: 'app.removed',
        severity: 'info',
        message: `removed ${scope.app} from ${scope.env}: ${why}`,
      });
    } catch (e) {
      d.log.warn(
        { err: (e as Error).message, scope },
        'pruning a removed scope failed; it is tried again at the next revision or start',
      );
      await d.addEvent({
        project: p.name,
        app: scope.app,
        env: scope.env,
        type: 'app.prune-failed',
        severity: 'error',
        message: `could not remove ${scope.app} from ${scope.env} (${why}): ${(e as Error).message}`,
      });
    }
  };
  for (const r of d.removed) {
    const prev = d.previous!.project;
    await remove(
      prev,
      r.previous.env.target,
      { project: prev.name, app: r.app, env: r.env },
      r.previous.env.prune,
      whyRemoved(project, r.app, r.env, r.previous.app.path),
    );
  }
  // Every target is asked too: what was removed while Sluice was down is known to no revision.
  for (const target of project.targets.keys()) {
    let provider: Provider;
    let live: Scope[];
    try {
      provider = await d.provider(project, target);
      live = await provider.scopes();
    } catch (e) {
      d.log.warn(
        { err: (e as Error).message, target },
        'cannot list what a target runs; pruning of removed scopes waits for the next start',
      );
      continue;
    }
    for (const scope of live) {
      if (scope.project !== project.name || declared(scope) || done.has(scopeKey(scope.app, scope.env))) continue;
      const env = project.environments.find((e) => e.name === scope.env);
      // A scope of a live environment on another target is that target's to report.
      if (env && env.target !== target) continue;
      await remove(project, target, scope, env ? env.prune : true, whyRemoved(project, scope.app, scope.env));
    }
  }
}
