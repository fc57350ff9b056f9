import type { Project } from '../config/index.js';
import type { DesiredStates } from '../desired/index.js';
import { Breather } from '../model/breather.js';
import type { ReadonlyFs } from '../vfs/index.js';
import { inputsHash } from './inputs.js';
import { affectsApp, scopeKey, type ScopeRef } from './targets.js';

/** The revision the controller reconciles toward: its trees, project, scopes and renders. */
export interface RevisionInForce {
  revision: string;
  fs: ReadonlyFs;
  /** The revision's tree as committed (encrypted files as they are): what input hashes read. */
  tree: ReadonlyFs;
  project: Project;
  scopes: ScopeRef[];
  /** The revision's desired states: every render, check and sync of the revision goes through it. */
  desired: DesiredStates;
}

/**
 * The keys of the scopes a new revision may change; the others carry their renders over from
 * the previous revision instead of rendering again.
 */
export async function scopesChangedBy(
  previous: RevisionInForce,
  next: RevisionInForce,
  changed: readonly string[],
): Promise<Set<string>> {
  const affected = new Set<string>();
  const kept: ScopeRef[] = [];
  const breather = new Breather();
  for (const ref of next.scopes) {
    await breather.breathe();
    if (await mayChange(previous, next, changed, ref)) affected.add(scopeKey(ref.app.name, ref.env.name));
    else kept.push(ref);
  }
  // A kept render may still meet another app's new claim (two apps on one port): its checks
  // run again on the kept render, and a conflict syncs it, to fail saying so.
  if (affected.size > 0)
    for (const ref of kept) {
      await breather.breathe();
      await next.desired.of(ref.app, ref.env).catch(() => affected.add(scopeKey(ref.app.name, ref.env.name)));
    }
  return affected;
}

/**
 * Whether a new revision may change what a scope renders. A change in the app's directory
 * may: a new manifest there is listed, not read. Otherwise the content hash of the scope's
 * inputs decides, and an unchanged scope keeps its render.
 */
async function mayChange(
  previous: RevisionInForce,
  next: RevisionInForce,
  changed: readonly string[],
  ref: ScopeRef,
): Promise<boolean> {
  const prefix = `${ref.app.path.replace(/\/+$/, '')}/`;
  if (changed.some((p) => p.startsWith(prefix))) return true;
  const reads = await previous.desired.readsOf(ref.app.name, ref.env.name);
  const before = previous.project.apps.find((a) => a.name === ref.app.name);
  if (!reads || !before) return affectsApp(changed, ref.app.path);
  const same =
    inputsHash(previous.tree, reads, previous.project, before) === inputsHash(next.tree, reads, next.project, ref.app);
  if (same) next.desired.carryOver(ref.app.name, ref.env.name, previous.desired);
  return !same;
}
