import type { Resource } from '../../model/resource.js';
import { resourceRef } from '../../model/resource.js';
import { ProviderError } from '../../errors/index.js';
import type { KubeClient } from './client.js';
import { KubeApiError } from './client.js';
import { resourcePath, type ResourceInfo } from './discovery.js';
import { FIELD_MANAGER } from './labels.js';

/** Server-side apply of one object under the `sluice` field manager. */

export interface FieldConflict {
  manager: string;
  field: string;
}

export class ConflictError extends ProviderError {
  constructor(
    readonly resource: Resource,
    readonly conflicts: FieldConflict[],
  ) {
    const managers = [...new Set(conflicts.map((c) => c.manager))];
    const fields = conflicts.map((c) => c.field);
    super(
      'KUBE_CONFLICT',
      `${resourceRef(resource)}: ${fields.length === 1 ? 'field' : 'fields'} ${fields.join(', ')} ${fields.length === 1 ? 'is' : 'are'} managed by ${managers.map((m) => `"${m}"`).join(', ')}`,
      {
        resource: resourceRef(resource),
        field: fields[0],
        hint: `Another field manager (${managers.join(', ')}) owns ${fields.length === 1 ? 'this field' : 'these fields'}. Drop ${fields.length === 1 ? 'it' : 'them'} from Git, have the other owner release ${fields.length === 1 ? 'it' : 'them'}, or sync with force to take ownership.`,
      },
    );
  }
}

// `conflict with "kubectl-edit" using apps/v1` (Update managers) or `conflict with "other"` (appliers).
const CONFLICT = /conflict with "([^"]*)"/;

export function parseConflicts(err: KubeApiError): FieldConflict[] {
  const out: FieldConflict[] = [];
  for (const c of err.status.details?.causes ?? []) {
    // The API server fills `reason`; `type` is what the field is called in StatusCause's Go struct docs.
    if ((c.reason ?? c.type) !== 'FieldManagerConflict') continue;
    out.push({ manager: CONFLICT.exec(c.message ?? '')?.[1] ?? 'unknown', field: c.field ?? '?' });
  }
  return out;
}

export interface SsaOptions {
  dryRun?: boolean;
  force?: boolean;
  signal?: AbortSignal;
}

function isSecret(r: Pick<Resource, 'apiVersion' | 'kind'>): boolean {
  return r.kind === 'Secret' && r.apiVersion === 'v1';
}

/** Validation messages can quote the offending value; for a Secret that value is secret. */
function redact(message: string): string {
  return message.replace(/(Invalid value: )("(?:[^"\\]|\\.)*"|\S+)/g, '$1***').replace(/(Value:)[^}]*\}/g, '$1***}');
}

/** Turns an API error into a ProviderError that names the resource. Secret values are never quoted. */
export function describeApiError(err: unknown, resource: Resource, action: string): Error {
  if (!(err instanceof KubeApiError)) return err as Error;
  const ref = resourceRef(resource);
  const causes = (err.status.details?.causes ?? [])
    .map((c) => (c.field ? `${c.field}: ${c.message ?? ''}` : (c.message ?? '')))
    .filter(Boolean);
  // A manifest that does not fit the schema fails while building the typed patch, which the
  // API server reports as a 500; it is the manifest's fault all the same.
  const typed = /failed to create typed patch object \([^)]*\): (.*)$/s.exec(err.message);
  let detail = causes.length ? causes.join('; ') : typed ? typed[1]! : err.message;
  if (isSecret(resource)) detail = redact(detail);
  // A 404 that names no object means the type itself is not served (its CRD just went away).
  const unserved = err.statusCode === 404 && !err.status.details?.name;
  const code =
    err.statusCode === 422 || err.statusCode === 400 || typed
      ? 'KUBE_INVALID'
      : err.statusCode === 403
        ? 'KUBE_FORBIDDEN'
        : unserved
          ? 'KUBE_UNKNOWN_KIND'
          : err.statusCode === 404
            ? 'KUBE_NOT_FOUND'
            : 'KUBE_API';
  const hint =
    code === 'KUBE_UNKNOWN_KIND'
      ? 'The cluster does not serve this kind; add the CustomResourceDefinition that defines it to the app.'
      : code === 'KUBE_INVALID'
        ? 'The API server rejected the manifest; fix the field named above in Git.'
        : code === 'KUBE_FORBIDDEN'
          ? 'The credentials in the kubeconfig lack permission for this; grant it with RBAC or use another context.'
          : code === 'KUBE_NOT_FOUND'
            ? 'Its namespace or type may be missing; add the Namespace or CRD to the app, or create it first.'
            : 'See the message from the API server.';
  // A manifest the API server rejects fails the same way until Git changes it.
  const field = err.status.details?.causes?.find((c) => c.field)?.field;
  return new ProviderError(code, `${action} ${ref} failed: ${detail}`, {
    resource: ref,
    ...(field ? { field } : {}),
    hint,
    cause: err,
    retry: code !== 'KUBE_INVALID',
  });
}

export async function serverSideApply(
  client: KubeClient,
  info: ResourceInfo,
  obj: Resource,
  options: SsaOptions = {},
): Promise<Resource> {
  const path = resourcePath(info, obj.metadata.namespace, obj.metadata.name);
  try {
    return await client.request<Resource>('PATCH', path, {
      query: {
        fieldManager: FIELD_MANAGER,
        force: options.force ? true : undefined,
        dryRun: options.dryRun ? 'All' : undefined,
      },
      body: obj,
      contentType: 'application/apply-patch+yaml',
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof KubeApiError && e.statusCode === 409) {
      const conflicts = parseConflicts(e);
      if (conflicts.length) throw new ConflictError(obj, conflicts);
    }
    throw describeApiError(e, obj, options.dryRun ? 'dry-run apply of' : 'apply of');
  }
}

export async function deleteObject(
  client: KubeClient,
  info: ResourceInfo,
  obj: Pick<Resource, 'apiVersion' | 'kind' | 'metadata'>,
  options: { dryRun?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  const path = resourcePath(info, obj.metadata.namespace, obj.metadata.name);
  try {
    await client.request('DELETE', path, {
      query: { dryRun: options.dryRun ? 'All' : undefined },
      // Background: the API returns at once and the garbage collector removes dependents.
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof KubeApiError && e.statusCode === 404) return;
    throw describeApiError(e, obj as Resource, 'delete of');
  }
}

/** The object as the API server has it now, or undefined. */
export async function getObject(
  client: KubeClient,
  info: ResourceInfo,
  obj: Pick<Resource, 'apiVersion' | 'kind' | 'metadata'>,
): Promise<Resource | undefined> {
  try {
    return await client.request<Resource>('GET', resourcePath(info, obj.metadata.namespace, obj.metadata.name));
  } catch (e) {
    if (e instanceof KubeApiError && e.statusCode === 404) return undefined;
    throw describeApiError(e, obj as Resource, 'read of');
  }
}
