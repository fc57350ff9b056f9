import type { Resource } from '../../model/resource.js';
import type { Scope } from '../types.js';
import {
  ANNOTATION_REVISION,
  LABEL_APP,
  LABEL_APPLYSET_PART_OF,
  LABEL_ENV,
  LABEL_MANAGED_BY,
  LABEL_PROJECT,
  MANAGED_BY_VALUE,
  SHARED_APPLYSET,
} from './labels.js';
import { isShared } from './shared.js';

/**
 * What Sluice adds to every object it applies: who manages it, which scope and applyset it
 * belongs to (so watches, inventory queries and drift events can find its scope), and the
 * revision. Server-populated metadata is dropped: applying it would fail or claim it.
 */
export function stamp(
  resource: Resource,
  scope: Scope,
  applyset: string,
  revision: string,
  defaultNamespace?: string,
): Resource {
  const {
    resourceVersion: _rv,
    uid: _uid,
    creationTimestamp: _ct,
    managedFields: _mf,
    generation: _g,
    selfLink: _sl,
    ...meta
  } = resource.metadata;
  const { status: _status, ...rest } = resource;
  // A shared object belongs to no one scope: labels naming one would flip with every scope that applies it.
  const owner: Record<string, string> = isShared(resource)
    ? { [LABEL_APPLYSET_PART_OF]: SHARED_APPLYSET }
    : {
        [LABEL_PROJECT]: scope.project,
        [LABEL_APP]: scope.app,
        [LABEL_ENV]: scope.env,
        [LABEL_APPLYSET_PART_OF]: applyset,
      };
  const out: Resource = {
    ...rest,
    metadata: {
      ...meta,
      labels: { ...meta.labels, [LABEL_MANAGED_BY]: MANAGED_BY_VALUE, ...owner },
      annotations: { ...meta.annotations, [ANNOTATION_REVISION]: revision },
    },
  };
  if (defaultNamespace && out.metadata.namespace === undefined) out.metadata.namespace = defaultNamespace;
  return foldStringData(out);
}

/**
 * The API server stores a Secret's stringData as base64 data and never returns stringData,
 * so an applied stringData could never be seen as in sync. Apply it as data instead.
 */
function foldStringData(obj: Resource): Resource {
  if (obj.kind !== 'Secret' || obj.apiVersion !== 'v1' || typeof obj.stringData !== 'object' || obj.stringData === null)
    return obj;
  const { stringData, ...rest } = obj as Resource & {
    stringData: Record<string, string>;
    data?: Record<string, string>;
  };
  const data: Record<string, string> = { ...rest.data };
  for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  return { ...rest, data };
}
