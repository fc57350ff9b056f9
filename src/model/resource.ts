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
  /**
   * File and line that set a field, when that may be another file than the document's: an
   * overlay's patch that changed the value. Falls back to `locate` in `file`.
   */
  where?: (path: readonly (string | number)[]) => { file: string; line: number } | undefined;
}

/** Where a person should look to change the field at `path` of a rendered resource. */
export function fieldLocation(
  origin: ResourceOrigin | undefined,
  path: readonly (string | number)[],
): { file: string; line?: number } | undefined {
  if (!origin) return undefined;
  const set = origin.where?.(path);
  if (set) return set;
  const line = origin.locate?.(path) ?? origin.line;
  return line === undefined ? { file: origin.file } : { file: origin.file, line };
}

/**
 * `spec.template.spec.containers[0].image` as a path into `object`. Keys may hold dots
 * (`metadata.labels.app.kubernetes.io/name`): the object decides where one key ends.
 */
export function parseFieldPath(object: unknown, field: string): (string | number)[] {
  const tokens: (string | number)[] = [];
  for (const part of field.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      tokens.push(part);
      continue;
    }
    if (m[1]) tokens.push(m[1]);
    for (const i of m[2]!.matchAll(/\[(\d+)\]/g)) tokens.push(Number(i[1]));
  }
  const path: (string | number)[] = [];
  let node: unknown = object;
  for (let i = 0; i < tokens.length; i++) {
    let key = tokens[i]!;
    if (typeof key === 'string' && node && typeof node === 'object' && !Array.isArray(node)) {
      // Join following tokens while the key so far is not in the object but a longer one is.
      let j = i;
      while (!(key in node) && j + 1 < tokens.length && typeof tokens[j + 1] === 'string') {
        const longer: string = `${key}.${tokens[j + 1] as string}`;
        if (!Object.keys(node).some((k) => k === longer || k.startsWith(`${longer}.`))) break;
        key = longer;
        j++;
      }
      i = j;
    }
    path.push(key);
    node = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  }
  return path;
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
