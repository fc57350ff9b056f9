import { RenderError } from '../../../errors/index.js';
import { isEmptyNull, isObject, setKey, type JsonObject, type JsonValue } from '../model/json.js';
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
    if (!has(o) && has(target) && isEmptyNull(target, k)) {
      delete target[k];
      continue;
    }
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

function isEmptyish(e: JsonValue): boolean {
  return e === null || (isObject(e) && Object.keys(e).length === 0);
}

/**
 * kyaml's setAssociativeSequenceElements with kustomize's "prepend" list growth, step for
 * step: the element keys of every element (patch first), merged where some keys are missing
 * (ports keyed by port and protocol), each walked and collected, then the destination's own
 * elements set over the collected ones. With several keys a destination element is removed
 * and appended, so it moves after the patch's new elements.
 */
function mergeKeyed(
  d: JsonValue[],
  o: JsonValue[] | undefined,
  keys: string[],
  es: Schema | undefined,
  path: string[],
): JsonValue[] {
  let valuesList: string[][] = [];
  const seen = new Set<string>();
  for (const src of o && o !== d ? [o, d] : [d]) {
    for (const e of src) {
      const t = tupleOf(e, keys);
      const id = JSON.stringify(t);
      if (seen.has(id)) continue;
      seen.add(id);
      valuesList.push(t);
    }
  }
  if (keys.length > 1) valuesList = mergeValues(valuesList);
  let dest = d;
  let items: JsonValue[] = [];
  let validKeys = keys;
  for (const values of valuesList) {
    const [vk, vv] = validateKeys(valuesList, values, keys);
    validKeys = vk;
    const [ek, ev] = validateKeys([vv], vv, vk);
    const find = (list: JsonValue[]) => list.find((e) => isObject(e) && ek.every((k, i) => fieldMatches(e, k, ev[i]!)));
    const de = find(dest);
    const pe = o ? (o === d ? de : find(o)) : undefined;
    const merged = walk(de, pe, es, path);
    if (merged === undefined || merged === null || merged === KEEP_NULL || isEmptyish(merged)) {
      dest = setElement(dest, undefined, vk, vv);
      continue;
    }
    if (isObject(merged))
      vk.forEach((k, i) => {
        if (!Object.prototype.hasOwnProperty.call(merged, k) && vv[i] !== '') merged[k] = vv[i]!;
      });
    items = setElement(items, merged, vk, vv);
  }
  return valuesList.length > 0 ? appendList(items, dest, validKeys) : dest;
}

/** kyaml's mergeValues: tuples that agree where both have a value are completed from each other. */
function mergeValues(list: string[][]): string[][] {
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
  return list;
}

/** kyaml's validateKeys: only the keys some tuple has a value for (all of them if none has). */
function validateKeys(valuesList: string[][], values: string[], keys: string[]): [string[], string[]] {
  const valid = new Set<string>();
  for (const vs of valuesList) vs.forEach((v, i) => v !== '' && valid.add(keys[i]!));
  if (valid.size === 0) return [keys, values];
  return [keys.filter((k) => valid.has(k)), values.filter((v, i) => v !== '' || valid.has(keys[i]!))];
}

/** kyaml's FieldMatcher: an empty value matches any present field; null elements never match. */
function fieldMatches(e: JsonValue, key: string, value: string): boolean {
  if (e === null) return false;
  if (key === '') return !isObject(e) && !Array.isArray(e) && text(e) === value;
  if (!isObject(e) || !Object.prototype.hasOwnProperty.call(e, key)) return false;
  return value === '' || text(e[key]) === value;
}

/**
 * kyaml's ElementSetter: drops null and empty elements, puts `el` in place of every element
 * matching the keys (removes them when `el` is undefined), appends it when none matched.
 */
function setElement(list: JsonValue[], el: JsonValue | undefined, keys: string[], values: string[]): JsonValue[] {
  const ks = keys.length === 0 ? [''] : keys;
  const mappingSetter = ks[0] !== '';
  const out: JsonValue[] = [];
  let found = false;
  for (const e of list) {
    if (isEmptyish(e)) continue;
    if (!isObject(e) && mappingSetter) {
      out.push(e);
      continue;
    }
    let hit = false;
    let matched = true;
    for (let j = 0; j < ks.length; j++) {
      if (j < values.length) hit = fieldMatches(e, ks[j]!, values[j]!);
      if (!hit) {
        matched = false;
        break;
      }
    }
    if (!matched) {
      if (values.length > 0) out.push(e);
      continue;
    }
    found = true;
    if (el !== undefined) out.push(el);
  }
  if (el === undefined || el === null) return out;
  if (!found) out.push(el);
  return out;
}

/** kyaml's appendListNode: sets each element of `src` into `dst` by its key values. */
function appendList(dst: JsonValue[], src: JsonValue[], keys: string[]): JsonValue[] {
  let out = dst;
  for (const e of src) {
    if (keys[0] === '') {
      out = setElement(out, e, [''], [text(e)]);
      continue;
    }
    const values: string[] = [];
    for (const k of keys) {
      if (!isObject(e) || !Object.prototype.hasOwnProperty.call(e, k)) out.push(e);
      else values.push(text(e[k]));
    }
    if (keys.length > 1) out = setElement(out, undefined, keys, values);
    out = setElement(out, e, keys, values);
  }
  return out;
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
