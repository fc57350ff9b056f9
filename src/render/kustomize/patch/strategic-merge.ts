import { RenderError } from '../../../errors/index.js';
import { isObject, setKey, type JsonObject, type JsonValue } from '../model/json.js';
import { elementSchema, fieldSchema, listStrategy, type Schema } from './schema.js';

/**
 * Strategic merge as kustomize's kyaml merge2 walker does it: maps merge field by field, a
 * null in the patch deletes, `$patch: delete|replace|merge` directives apply to maps and
 * lists, and lists merge by key only where the Kubernetes schema declares a merge strategy
 * (containers by name, ports by containerPort+protocol…); other lists are replaced.
 * New elements are appended. Patch values are consumed: pass a copy.
 */
const KEEP_NULL = Symbol('keep-null');
type Out = JsonValue | undefined | typeof KEEP_NULL;

export function strategicMerge(
  dest: JsonObject,
  patch: JsonObject,
  schema: Schema | undefined,
): JsonObject | undefined {
  const out = walk(dest, patch, schema, []);
  if (out === undefined || out === KEEP_NULL || out === null) return undefined;
  if (!isObject(out)) return undefined;
  return out;
}

type Shape = 'map' | 'seq' | 'scalar';

function shapeOf(v: JsonValue): Shape {
  return Array.isArray(v) ? 'seq' : isObject(v) ? 'map' : 'scalar';
}

function walk(dest: JsonValue | undefined, origin: JsonValue | undefined, s: Schema | undefined, path: string[]): Out {
  const first = [dest, origin].find((x) => x !== undefined && x !== null);
  const shape: Shape = first === undefined ? 'map' : shapeOf(first);
  for (const x of [dest, origin]) {
    if (x !== undefined && x !== null && shapeOf(x) !== shape) {
      throw new RenderError(
        'KUSTOMIZE_PATCH',
        `strategic merge patch: wrong node kind at ${path.join('.') || '<root>'}: expected ${shape}, got ${shapeOf(x)}`,
      );
    }
  }
  if (shape === 'scalar') return origin !== undefined ? origin : dest;
  if (shape === 'seq') return walkSeq(dest, origin, s, path);
  return walkMap(dest, origin, s, path);
}

function mapDirective(origin: JsonValue | undefined): string {
  if (!isObject(origin) || !Object.prototype.hasOwnProperty.call(origin, '$patch')) return 'merge';
  const v = origin['$patch'];
  delete origin['$patch'];
  if (v === 'delete' || v === 'replace' || v === 'merge') return v;
  throw new RenderError('KUSTOMIZE_PATCH', `unknown patch strategy '${String(v)}'`, {
    hint: 'Use $patch: merge, replace or delete.',
  });
}

function walkMap(
  dest: JsonValue | undefined,
  origin: JsonValue | undefined,
  s: Schema | undefined,
  path: string[],
): Out {
  let d: JsonValue | undefined;
  if (dest === undefined || dest === null) {
    const dir = mapDirective(origin);
    if (dir === 'delete') return undefined;
    if (origin === undefined && dest === null) return KEEP_NULL;
    d = origin;
  } else {
    if (origin === null) return undefined;
    const dir = mapDirective(origin);
    if (dir === 'delete') return undefined;
    d = dir === 'replace' ? origin : dest;
  }
  if (d === undefined || d === null || !isObject(d)) return d;
  const o = isObject(origin) ? origin : undefined;
  const keys = new Set(Object.keys(d));
  if (o) for (const k of Object.keys(o)) keys.add(k);
  const target: JsonObject = d;
  for (const k of [...keys].sort()) {
    const has = (x: JsonObject | undefined) => x !== undefined && Object.prototype.hasOwnProperty.call(x, k);
    const v = walk(has(target) ? target[k] : undefined, has(o) ? o![k] : undefined, fieldSchema(s, k), [...path, k]);
    if (v === undefined || v === null) delete target[k];
    else setKey(target, k, v === KEEP_NULL ? null : v);
  }
  return target;
}

function seqDirective(origin: JsonValue[]): string {
  const i = origin.findIndex(
    (e) => isObject(e) && Object.prototype.hasOwnProperty.call(e, '$patch') && Object.keys(e).length === 1,
  );
  if (i < 0) return 'merge';
  const v = (origin[i] as JsonObject)['$patch'];
  if (v !== 'delete' && v !== 'replace' && v !== 'merge') {
    throw new RenderError('KUSTOMIZE_PATCH', `unknown patch strategy '${String(v)}'`, {
      hint: 'Use $patch: merge, replace or delete.',
    });
  }
  origin.splice(i, 1);
  return v;
}

function walkSeq(
  dest: JsonValue | undefined,
  origin: JsonValue | undefined,
  s: Schema | undefined,
  path: string[],
): Out {
  const strat = listStrategy(s);
  if (!strat?.merge) return origin !== undefined ? origin : dest;
  let d: JsonValue | undefined;
  if (dest === undefined || dest === null) d = origin;
  else if (origin === null) return undefined;
  else {
    const dir = Array.isArray(origin) ? seqDirective(origin) : 'merge';
    if (dir === 'delete') return undefined;
    d = dir === 'replace' ? origin : dest;
  }
  if (!Array.isArray(d)) return d;
  const o = Array.isArray(origin) ? origin : undefined;
  return strat.keys.length > 0 ? mergeKeyed(d, o, strat.keys, elementSchema(s), path) : mergePrimitive(d, o);
}

function text(v: JsonValue | undefined): string {
  if (v === undefined || v === null || typeof v === 'object') return '';
  return String(v);
}

function tupleOf(e: JsonValue, keys: string[]): string[] {
  return keys.map((k) => (isObject(e) ? text(e[k]) : ''));
}

function matches(e: JsonValue, keys: string[], values: string[]): boolean {
  if (!isObject(e)) return false;
  return keys.every((k, i) => Object.prototype.hasOwnProperty.call(e, k) && text(e[k]) === values[i]);
}

function isEmptyish(e: JsonValue): boolean {
  return e === null || (isObject(e) && Object.keys(e).length === 0);
}

function mergeKeyed(
  d: JsonValue[],
  o: JsonValue[] | undefined,
  keys: string[],
  es: Schema | undefined,
  path: string[],
): JsonValue[] {
  let tuples: string[][] = [];
  const seen = new Set<string>();
  // kustomize merges with "prepend" growth: the patch's elements come first, in patch order.
  for (const src of o && o !== d ? [o, d] : [d]) {
    for (const e of src) {
      const t = tupleOf(e, keys);
      const id = JSON.stringify(t);
      if (seen.has(id)) continue;
      seen.add(id);
      tuples.push(t);
    }
  }
  if (keys.length > 1) tuples = mergeTuples(tuples);
  const items: { el: JsonValue; keys: string[]; values: string[] }[] = [];
  let list = d;
  for (const t of tuples) {
    const valid = keys.filter((_, i) => tuples.some((x) => x[i] !== ''));
    const vk = valid.length === 0 ? keys : valid;
    const vv =
      valid.length === 0
        ? t
        : keys.map((k, i) => (vk.includes(k) ? t[i]! : undefined)).filter((x): x is string => x !== undefined);
    const de = list.find((e) => matches(e, vk, vv));
    const pe = o ? (o === d ? de : o.find((e) => matches(e, vk, vv))) : undefined;
    const merged = walk(de, pe, es, path);
    if (merged === undefined || merged === null || merged === KEEP_NULL || isEmptyish(merged)) {
      list = list.filter((e) => !isEmptyish(e) && !matches(e, vk, vv));
      continue;
    }
    if (isObject(merged))
      vk.forEach((k, i) => {
        if (!Object.prototype.hasOwnProperty.call(merged, k) && vv[i] !== '') merged[k] = vv[i]!;
      });
    items.push({ el: merged, keys: vk, values: vv });
  }
  // Then every surviving original element is put back over its merged counterpart (which is
  // the same object unless an element-level `$patch: replace` produced a new one).
  let out = items.map((it) => it.el);
  for (const e of list) {
    out = out.filter((x) => !isEmptyish(x));
    if (!isObject(e)) continue;
    const vk = keys.filter((k) => Object.prototype.hasOwnProperty.call(e, k));
    const vv = vk.map((k) => text(e[k]));
    const i = out.findIndex((x) => matches(x, vk, vv));
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  return out;
}

function mergeTuples(list: string[][]): string[][] {
  for (let i = 0; i < list.length; i++) {
    for (let j = 0; j < list.length; j++) {
      const a = list[i]!;
      const b = list[j]!;
      let common = false;
      let ok = true;
      const res: string[] = [];
      for (let k = 0; k < a.length; k++) {
        if (a[k] === b[k]) {
          common = true;
          res.push(a[k]!);
        } else if (a[k] !== '' && b[k] !== '') {
          ok = false;
          break;
        } else res.push(a[k] !== '' ? a[k]! : b[k]!);
      }
      if (ok && common) {
        list[i] = res;
        list[j] = res;
      }
    }
  }
  const seen = new Set<string>();
  return list.filter((t) => {
    const id = JSON.stringify(t);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function mergePrimitive(d: JsonValue[], o: JsonValue[] | undefined): JsonValue[] {
  const out: JsonValue[] = [];
  const have = new Set<string>();
  for (const e of o && o !== d ? [...o, ...d] : d) {
    if (e === null || have.has(text(e))) continue;
    have.add(text(e));
    out.push(e);
  }
  return out;
}
