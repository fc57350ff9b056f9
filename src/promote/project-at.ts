import {
  findApp,
  findEnvironment,
  parseProject,
  PROJECT_FILE,
  type App,
  type Environment,
  type Project,
} from '../config/index.js';
import { NotFoundError, isSluiceError } from '../errors/index.js';
import { DesiredStates } from '../desired/index.js';
import { appliedArtifacts } from '../reconcile/index.js';
import type { ArtifactRecord } from '../store/ledger-types.js';
import { renderApp } from '../render/index.js';
import type { FileChange, Source } from '../source/index.js';
import { joinPath, MemoryFs, type ReadonlyFs } from '../vfs/index.js';

export interface ProjectView {
  revision: string;
  fs: ReadonlyFs;
  project: Project;
}

/** Views of the revisions read last, per source: a commit never changes. */
const views = new WeakMap<Source, Map<string, Promise<ProjectView>>>();
const KEPT_VIEWS = 8;
const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * sluice.yaml and the tree at a revision: every decision is made against one revision. A
 * commit's view is kept for the next callers: every succeeded sync asks for it, and parsing a
 * sluice.yaml of thousands of apps once per sync made a first sync of every scope quadratic.
 * Callers only read the view.
 */
export function projectAt(source: Source, revision: string): Promise<ProjectView> {
  if (!COMMIT_ID.test(revision)) return readView(source, revision);
  let kept = views.get(source);
  if (!kept) views.set(source, (kept = new Map()));
  const had = kept.get(revision);
  if (had) {
    kept.delete(revision);
    kept.set(revision, had);
    return had;
  }
  const view = readView(source, revision);
  kept.set(revision, view);
  // A read that failed (git busy, a disk error) is not kept; a later caller reads again.
  view.catch(() => kept.get(revision) === view && kept.delete(revision));
  for (const old of kept.keys()) if (kept.size > KEPT_VIEWS) kept.delete(old);
  return view;
}

async function readView(source: Source, revision: string): Promise<ProjectView> {
  const fs = await source.tree(revision);
  const project = parseProject(new TextDecoder().decode(fs.readFile(PROJECT_FILE)), PROJECT_FILE);
  return { revision, fs, project };
}

export function scopeOf(project: Project, app: string, env: string): { app: App; env: Environment } {
  const a = findApp(project, app);
  if (!a) {
    throw new NotFoundError('APP_NOT_FOUND', `no app "${app}" in sluice.yaml`, {
      hint: `Known apps: ${project.apps.map((x) => x.name).join(', ') || 'none'}.`,
    });
  }
  return { app: a, env: environmentOf(project, env) };
}

export function environmentOf(project: Project, env: string): Environment {
  const e = findEnvironment(project, env);
  if (!e) {
    throw new NotFoundError('ENV_NOT_FOUND', `no environment "${env}" in sluice.yaml`, {
      hint: `Known environments: ${project.environments.map((x) => x.name).join(', ')}.`,
    });
  }
  return e;
}

function copyTree(fs: ReadonlyFs, dir: string, into: Record<string, string | Uint8Array>): void {
  for (const e of fs.readDir(dir)) {
    const p = dir === '.' || dir === '' ? e.name : joinPath(dir, e.name);
    if (e.type === 'dir') copyTree(fs, p, into);
    else if (e.type === 'file') into[p] = fs.readFile(p);
  }
}

/** The tree at the view's revision with the change applied, in memory. */
function patched(view: ProjectView, changes: readonly FileChange[]): ReadonlyFs {
  const files: Record<string, string | Uint8Array> = {};
  copyTree(view.fs, '.', files);
  for (const c of changes) {
    if (c.content === null) delete files[c.path];
    else files[c.path] = c.content;
  }
  return MemoryFs.fromFiles(files);
}

/**
 * Takes the app for the environment as it would be after the change through the pipeline the
 * controller uses (render, the target's validation, cross-app checks, policy). Returns the
 * error message, or undefined when it passes: a change the controller would refuse is never committed.
 */
export async function renderCheck(
  view: ProjectView,
  changes: readonly FileChange[],
  app: App,
  env: Environment,
  checks: { openTree?: ((fs: ReadonlyFs) => Promise<ReadonlyFs>) | undefined } = {},
): Promise<string | undefined> {
  try {
    const raw = patched(view, changes);
    const fs = checks.openTree ? await checks.openTree(raw) : raw;
    await new DesiredStates(fs, view.project).of(app, env);
    return undefined;
  } catch (e) {
    if (!isSluiceError(e)) throw e;
    return e.location.file
      ? `${e.location.file}${e.location.line ? `:${e.location.line}` : ''}: ${e.message}`
      : e.message;
  }
}

/** The artifacts the app would run in the environment after the change (empty when it does not render). */
export function artifactsAfter(
  view: ProjectView,
  changes: readonly FileChange[],
  app: App,
  env: Environment,
): ArtifactRecord[] {
  try {
    return appliedArtifacts(renderApp(patched(view, changes), app, env.name).resources.map((r) => r.object)).map(
      ({ resource: _r, ...a }) => a,
    );
  } catch {
    return [];
  }
}
