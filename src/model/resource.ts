/**
 * The unit that flows through render → policy → plan → apply: a Kubernetes-shaped object
 * (apiVersion, kind, metadata) plus where it came from, so every later error can point at
 * a file and line.
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface ResourceOrigin {
  /** Path relative to the config repo root. */
  file: string;
  /** 1-based line of the document start in that file. */
  line?: number;
  /** Line of a field inside the document, e.g. `['spec', 'replicas']`, where the renderer can tell. */
  locate?: (path: readonly (string | number)[]) => number | undefined;
}

export interface RenderedResource {
  object: Resource;
  origin?: ResourceOrigin;
}

/** API group of an apiVersion: `apps/v1` → `apps`, `v1` → `` (core). */
export function apiGroup(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/**
 * Identity of a resource within one app × environment: group, kind, namespace and name.
 * The version is left out on purpose: the same object may be served at several versions.
 */
export function resourceKey(r: Pick<Resource, 'apiVersion' | 'kind' | 'metadata'>): string {
  const group = apiGroup(r.apiVersion);
  const kind = group ? `${r.kind}.${group}` : r.kind;
  const ns = r.metadata.namespace ?? '';
  return ns ? `${kind}/${ns}/${r.metadata.name}` : `${kind}/${r.metadata.name}`;
}

/** `Kind/name` for messages. */
export function resourceRef(r: Pick<Resource, 'kind' | 'metadata'>): string {
  const ns = r.metadata.namespace;
  return ns ? `${r.kind}/${ns}/${r.metadata.name}` : `${r.kind}/${r.metadata.name}`;
}
