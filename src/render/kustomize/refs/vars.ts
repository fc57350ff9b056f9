import { RenderError } from '../../../errors/index.js';
import { isObject, type JsonObject, type JsonValue } from '../model/json.js';
import type { FieldSpec } from '../config/transformer-config.js';
import { gvkEquals, idEquals, isClusterScoped, type Gvk, type ResId } from '../resource/gvk.js';
import type { ResMap } from '../resource/resmap.js';
import { applyFieldSpec } from '../transform/fieldspec.js';
import { findPlaces, splitDotted } from './paths.js';

/** A legacy `vars:` entry: $(NAME) in var-reference fields becomes a field of another object. */
export interface Var {
  name: string;
  ref: ResId;
  fieldPath: string;
}

export function parseVars(list: JsonValue[], file: string): Var[] {
  return list.map((v) => {
    const objref = isObject(v) ? jsonField(v, 'objref') : undefined;
    const name = isObject(v) ? jsonField(v, 'name') : undefined;
    if (typeof name !== 'string' || !isObject(objref)) {
      throw new RenderError('KUSTOMIZE_VAR', `${file}: each var needs a name and an objref`, {
        file,
        hint: 'Give the var a name and an objref naming the resource it reads.',
      });
    }
    const s = (k: string) => {
      const x = jsonField(objref, k);
      return typeof x === 'string' ? x : '';
    };
    const fieldref = jsonField(v as JsonObject, 'fieldref');
    const fieldpath = isObject(fieldref) ? jsonField(fieldref, 'fieldpath') : undefined;
    const fieldPath = typeof fieldpath === 'string' && fieldpath !== '' ? fieldpath : 'metadata.name';
    return { name, ref: { gvk: objrefGvk(s), name: s('name'), namespace: s('namespace') }, fieldPath };
  });
}

/** kustomize's Target.GVK: group/version/kind fields, with apiVersion (when set) overriding the first two. */
function objrefGvk(s: (k: string) => string): Gvk {
  const gvk = { group: s('group'), version: s('version'), kind: s('kind') };
  const apiVersion = s('apiVersion');
  if (apiVersion === '') return gvk;
  const parts = apiVersion.split('/');
  if (parts.length === 2) {
    gvk.group = parts[0]!;
    gvk.version = parts[1]!;
  } else if (parts.length === 1) gvk.version = parts[0]!;
  return gvk;
}

/** encoding/json field lookup: the exact key, else any key equal ignoring case. */
function jsonField(o: JsonObject, key: string): JsonValue | undefined {
  if (Object.prototype.hasOwnProperty.call(o, key)) return o[key];
  const lower = key.toLowerCase();
  const k = Object.keys(o).find((x) => x.toLowerCase() === lower);
  return k === undefined ? undefined : o[k];
}

/** Marks the resource each var points at, as kustomize does when vars are merged. */
export function bindVars(m: ResMap, vars: Var[], file: string): void {
  for (const v of vars) {
    const exact = v.ref.namespace !== '' || isClusterScoped(v.ref.gvk);
    const hits = m.byAnyId((id) =>
      exact ? idEquals(id, v.ref) : gvkEquals(id.gvk, v.ref.gvk) && id.name === v.ref.name,
    );
    if (hits.length > 1) {
      throw new RenderError(
        'KUSTOMIZE_VAR',
        `found ${hits.length} resId matches for var ${v.name} (unable to disambiguate)`,
        { file },
      );
    }
    if (hits.length === 1 && !hits[0]!.refVarNames.includes(v.name)) hits[0]!.refVarNames.push(v.name);
  }
}

function fieldValue(obj: JsonValue, path: string): JsonValue | undefined {
  const parts = splitDotted(path).flatMap((p) => {
    const m = /^([^[]+)\[(\d+)\]$/.exec(p);
    return m ? [m[1]!, m[2]!] : [p];
  });
  return findPlaces({ get: () => obj, set: () => undefined }, parts, undefined)[0]?.get();
}

export function resolveVars(m: ResMap, vars: Var[], specs: FieldSpec[]): string[] {
  if (vars.length === 0) return [];
  const values = new Map<string, JsonValue>();
  for (const v of vars) {
    const owner = m.list.find((r) => r.refVarNames.includes(v.name));
    if (!owner) {
      throw new RenderError(
        'KUSTOMIZE_VAR',
        `var '${v.name}' cannot be mapped to a field in the set of known resources`,
        {
          hint: `No ${v.ref.gvk.kind} named ${v.ref.name} is in the build; check the var's objref.`,
        },
      );
    }
    const val = fieldValue(owner.obj, v.fieldPath);
    if (val === undefined) {
      throw new RenderError('KUSTOMIZE_VAR', `field specified in var '${v.name}' not found in corresponding resource`, {
        resource: `${owner.kind}/${owner.name}`,
      });
    }
    values.set(v.name, val);
  }
  const used = new Set<string>();
  const expand = (s: string): JsonValue =>
    doReplacements(s, (name) => {
      if (!values.has(name)) return `$(${name})`;
      used.add(name);
      return values.get(name)!;
    });
  for (const r of m.list) {
    for (const spec of specs) {
      applyFieldSpec(r, spec, undefined, (slot) => {
        const v = slot.get();
        if (typeof v === 'string') slot.set(expand(v));
        else if (Array.isArray(v))
          v.forEach((x, i) => {
            if (typeof x === 'string') v[i] = expand(x);
          });
        else if (isObject(v))
          for (const k of Object.keys(v)) {
            const x = v[k];
            if (typeof x === 'string') v[k] = expand(x);
          }
      });
    }
  }
  return vars.map((v) => v.name).filter((n) => !used.has(n));
}

/** Kubernetes $(VAR) expansion: `$$` escapes, unknown names stay, a lone reference keeps its type. */
export function doReplacements(input: string, mapping: (name: string) => JsonValue): JsonValue {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] === '$' && cursor + 1 < input.length) {
      out += input.slice(checkpoint, cursor);
      const rest = input.slice(cursor + 1);
      let advance = 1;
      if (rest[0] === '$') out += '$';
      else if (rest[0] === '(') {
        const close = rest.indexOf(')', 1);
        if (close < 0) out += '$(';
        else {
          const name = rest.slice(1, close);
          const v = mapping(name);
          if (input === `$(${name})`) return v;
          out += v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
          advance = close + 1;
        }
      } else out += '$' + rest[0];
      cursor += advance;
      checkpoint = cursor + 1;
    }
  }
  return out + input.slice(checkpoint);
}
