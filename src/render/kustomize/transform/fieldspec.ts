import { RenderError } from '../../../errors/index.js';
import { hasKey, isObject, setKey, type JsonObject, type JsonValue } from '../model/json.js';
import type { FieldSpec } from '../config/transformer-config.js';
import { gvkSelected } from '../resource/gvk.js';
import type { Resource } from '../resource/resource.js';

/** A place in a document a transformer may read and overwrite. */
export interface Slot {
  get(): JsonValue;
  set(v: JsonValue): void;
}

/**
 * Where a slot a field spec led to is in the resource (`['spec', 'template', 'spec',
 * 'containers', 0, 'image']`), for provenance: the walk's own stack, so copy what you keep.
 */
export type SlotPath = readonly (string | number)[];

export type CreateKind = 'scalar' | 'map' | undefined;

/** True if the spec's group/version/kind select this resource. */
export function specMatches(spec: FieldSpec, r: Resource): boolean {
  return gvkSelected(r.gvk(), spec.gvk);
}

export function splitPath(path: string): string[] {
  // Escaped slashes (`\/`) keep annotation keys like `a.b\/c` in one piece.
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\' && path[i + 1] === '/') {
      cur += '/';
      i++;
    } else if (c === '[') {
      depth++;
      cur += c;
    } else if (c === ']') {
      depth--;
      cur += c;
    } else if (c === '/' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * Walks `spec.path` through the resource like kustomize's fieldspec filter: sequences are
 * visited element by element, missing fields are created only when the spec says `create`
 * and a kind to create was given, and `set` receives the slot at the end of the path.
 */
export function applyFieldSpec(
  r: Resource,
  spec: FieldSpec,
  createKind: CreateKind,
  set: (slot: Slot, at: SlotPath) => void,
): void {
  if (!specMatches(spec, r)) return;
  const path = splitPath(spec.path);
  const root: Slot = { get: () => r.obj, set: (v) => void (r.obj = v as JsonObject) };
  walk(root, path, 0, spec, createKind, set, r, []);
}

function walk(
  slot: Slot,
  path: string[],
  i: number,
  spec: FieldSpec,
  createKind: CreateKind,
  set: (s: Slot, at: SlotPath) => void,
  r: Resource,
  at: (string | number)[],
): void {
  if (i === path.length) return set(slot, at);
  const v = slot.get();
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) {
    for (let j = 0; j < v.length; j++) {
      const idx = j;
      at.push(idx);
      walk({ get: () => v[idx]!, set: (x) => void (v[idx] = x) }, path, i, spec, createKind, set, r, at);
      at.pop();
    }
    return;
  }
  if (!isObject(v)) {
    throw new RenderError(
      'KUSTOMIZE_FIELD_KIND',
      `considering field '${spec.path}' of object ${r.kind}/${r.name}: expected sequence or mapping node`,
      {
        file: r.source?.file,
        resource: `${r.kind}/${r.name}`,
        field: spec.path,
      },
    );
  }
  let name = path[i]!;
  const isSeq = name.endsWith('[]');
  if (isSeq) name = name.slice(0, -2);
  const last = i === path.length - 1;
  let kind: CreateKind | 'seq' = undefined;
  if (!spec.create || createKind === undefined || isSeq) {
    if (!hasKey(v, name)) return;
    if (isSeq) kind = 'seq';
  } else {
    kind = last ? createKind : 'map';
    if (!hasKey(v, name)) setKey(v, name, kind === 'map' ? {} : null);
  }
  const obj: JsonObject = v;
  if (obj[name] === null && kind === 'map') obj[name] = {};
  at.push(name);
  walk({ get: () => obj[name]!, set: (x) => setKey(obj, name, x) }, path, i + 1, spec, createKind, set, r, at);
  at.pop();
}
