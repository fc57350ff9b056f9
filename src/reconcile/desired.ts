import type { App, Environment, Project } from '../config/index.js';
import { formatFieldPath } from '../config/index.js';
import { RenderError, ValidationError } from '../errors/index.js';
import { fieldLocation, resourceRef, type RenderedResource, type Resource } from '../model/resource.js';
import type { Provider } from '../providers/types.js';
import { renderApp } from '../render/index.js';
import type { ReadonlyFs } from '../vfs/index.js';

/** What a policy check knows about the resources it judges. */
export interface PolicyContext {
  env: Environment;
  project: Project;
  app: App;
  /** The revision's tree (a decrypting one when the repo holds SOPS files). */
  fs: ReadonlyFs;
}

/** A policy check over rendered resources; throws (a PolicyError) to block the apply. */
export type PolicyCheck = (resources: RenderedResource[], context: PolicyContext) => void;

/** Removes what only render and policy need (e.g. markers of decrypted sources) before apply. */
export type ResourceFinalizer = (resource: Resource) => Resource;

export interface DesiredState {
  renderer: string;
  rendered: RenderedResource[];
  resources: Resource[];
}

/**
 * Render → provider validation → policy, all before anything touches a target: a bad
 * commit fails here, with a file and line, and applies nothing.
 */
export function desiredState(
  fs: ReadonlyFs,
  project: Project,
  app: App,
  env: Environment,
  provider: Provider,
  checkPolicy?: PolicyCheck,
  finalize: ResourceFinalizer = (r) => r,
): DesiredState {
  const { renderer, resources: rendered } = renderApp(fs, app, env.name);
  for (const r of rendered) {
    const ref = resourceRef(r.object);
    if (!provider.accepts(r.object)) {
      throw new RenderError(
        'UNSUPPORTED_KIND',
        `${ref} (${r.object.apiVersion}) cannot run on a ${provider.kind} target`,
        {
          file: r.origin?.file,
          line: r.origin?.line,
          resource: ref,
          hint: `Environment "${env.name}" uses target "${env.target}" (${provider.kind}); move the resource to an environment whose target runs it.`,
        },
      );
    }
    const issue = provider.validate?.(r.object)[0];
    if (issue) {
      const at = fieldLocation(r.origin, issue.path);
      throw new ValidationError('RESOURCE_INVALID', `${ref}: ${issue.message}`, {
        file: at?.file,
        line: at?.line,
        field: formatFieldPath(issue.path),
        resource: ref,
        hint: issue.hint ?? 'Fix the field in the manifest; nothing was applied.',
      });
    }
  }
  checkPolicy?.(rendered, { env, project, app, fs });
  return { renderer, rendered, resources: rendered.map((r) => finalize(r.object)) };
}
