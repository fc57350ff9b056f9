import type { Resource } from '../../model/resource.js';
import { sameQuantity } from './quantity.js';
import { ANNOTATION_REVISION, FIELD_MANAGER } from './labels.js';

/**
 * Reading `metadata.managedFields` (FieldsV1): which fields a manager owns. Comparing desired
 * state only over the fields Sluice owns is what keeps defaults, controller writes and other
 * managers' fields out of drift and diffs, and it lets an unchanged object be recognised
 * from the watch cache without asking the server.
 */

/** FieldsV1: keys `f:<field>`, `k:<json key>`, `v:<json value>`, `i:<index>` and `.` (the node itself). */
export type FieldSet = { [key: string]: FieldSet };

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  fieldsType?: string;
  fieldsV1?: FieldSet;
  subresource?: string;
}

type Json = unknown;
type Path = readonly (string | number)[];

export function managedFieldsOf(obj: Resource): ManagedFieldsEntry[] {
  const mf = obj.metadata.managedFields;
  return Array.isArray(mf) ? (mf as ManagedFieldsEntry[]) : [];
}

/** Fields owned by `manager` through Apply on the main resource (not status). */
export function ownedFields(obj: Resource, manager = FIELD_MANAGER): FieldSet | undefined {
  const entry = managedFieldsOf(obj).find((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource);
  return entry?.fieldsV1;
}

/** Managers and their operation, for conflict messages and for telling edits from appliers. */
export function managerOperations(obj: Resource): Map<string, string> {
  const out = new Map<string, string>();
  // Subresource entries count: `kubectl scale` writes spec.replicas through /scale as an Update.
  // A manager that both applies and updates is treated as an applier.
  for (const e of managedFieldsOf(obj)) {
    if (!e.manager || e.subresource === 'status') continue;
    if (out.get(e.manager) !== 'Apply') out.set(e.manager, e.operation ?? 'Update');
  }
  return out;
}

// Identity and server-maintained metadata: never part of a manager's field set.
const IGNORED_TOP = new Set(['apiVersion', 'kind', 'status']);
const IGNORED_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
]);

function isMap(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isLeaf(fs: FieldSet): boolean {
  for (const k of Object.keys(fs)) if (k !== '.') return false;
  return true;
}

export function valuesEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if ((typeof a === 'string' || typeof a === 'number') && (typeof b === 'string' || typeof b === 'number')) {
    if (String(a) === String(b)) return true;
    return sameQuantity(a, b);
  }
  return false;
}

/** Desired ⊆ live: every desired value is present; extra live keys are defaults or other writers. */
export function covers(desired: Json, live: Json): boolean {
  if (Array.isArray(desired)) {
    return Array.isArray(live) && desired.length === live.length && desired.every((d, i) => covers(d, live[i]));
  }
  if (isMap(desired)) {
    if (!isMap(live)) return false;
    return Object.entries(desired).every(([k, v]) => v === null || covers(v, live[k]));
  }
  return valuesEqual(desired, live);
}

function keyMatches(item: Json, key: Record<string, Json>, exact: boolean): boolean {
  if (!isMap(item)) return false;
  for (const [k, v] of Object.entries(key)) {
    // A desired item may omit a key field the server defaults (a port's protocol).
    if (!(k in item)) {
      if (exact) return false;
      continue;
    }
    if (!valuesEqual(item[k], v)) return false;
  }
  return true;
}

function parseKey(entry: string): Json {
  try {
    return JSON.parse(entry.slice(2));
  } catch {
    return undefined;
  }
}

function fmt(path: Path): string {
  let out = '';
  for (const p of path)
    out += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `.${p}` : `["${p}"]`;
  return out || '.';
}

const IGNORED_VALUE = fmt(['metadata', 'annotations', ANNOTATION_REVISION]);

/**
 * Why desired is not what live holds under the fields `owned`, or undefined when it is.
 * A difference in the set of owned fields counts too: applying would add or drop ownership.
 */
export function outOfSync(desired: Resource, live: Resource, owned: FieldSet | undefined): string | undefined {
  if (!owned) return 'not applied by sluice yet';
  for (const [k, v] of Object.entries(desired)) {
    if (IGNORED_TOP.has(k) || v === null) continue;
    if (k === 'metadata') {
      const meta = Object.fromEntries(Object.entries(desired.metadata).filter(([mk]) => !IGNORED_META.has(mk)));
      const why = compareNode(meta, live.metadata, owned['f:metadata'] ?? {}, ['metadata']);
      if (why) return why;
      continue;
    }
    const why = compareNode(v, (live as Record<string, Json>)[k], owned[`f:${k}`], [k]);
    if (why) return why;
  }
  for (const key of Object.keys(owned)) {
    if (!key.startsWith('f:')) continue;
    const field = key.slice(2);
    if (field === 'metadata' || IGNORED_TOP.has(field)) continue;
    if (!(field in desired)) return `${fmt([field])} no longer in Git`;
  }
  return undefined;
}

function compareNode(d: Json, l: Json, fs: FieldSet | undefined, path: Path): string | undefined {
  if (fs === undefined) return `${fmt(path)} not owned by sluice`;
  if (isMap(d)) {
    if (isLeaf(fs) && Object.keys(d).length > 0) return covers(d, l) ? undefined : `${fmt(path)} changed`;
    const live = isMap(l) ? l : {};
    for (const [k, v] of Object.entries(d)) {
      if (v === null) continue;
      const why = compareNode(v, live[k], fs[`f:${k}`], [...path, k]);
      if (why) return why;
    }
    for (const key of Object.keys(fs)) {
      if (key.startsWith('f:') && !(key.slice(2) in d)) return `${fmt([...path, key.slice(2)])} no longer in Git`;
    }
    return undefined;
  }
  if (Array.isArray(d)) return compareList(d, l, fs, path);
  if (fmt(path) === IGNORED_VALUE) return undefined;
  return valuesEqual(d, l) ? undefined : `${fmt(path)} changed`;
}

function compareList(d: Json[], l: Json, fs: FieldSet, path: Path): string | undefined {
  const entries = Object.keys(fs).filter((k) => k !== '.');
  const live = Array.isArray(l) ? l : [];
  if (entries.length === 0 || entries.some((k) => k.startsWith('i:'))) {
    return covers(d, live) ? undefined : `${fmt(path)} changed`;
  }
  if (entries.every((k) => k.startsWith('v:'))) {
    const want = new Set(d.map((x) => JSON.stringify(x)));
    const have = new Set(entries.map((k) => JSON.stringify(parseKey(k))));
    const liveSet = new Set(live.map((x) => JSON.stringify(x)));
    if (want.size !== have.size || [...want].some((x) => !have.has(x) || !liveSet.has(x)))
      return `${fmt(path)} changed`;
    return undefined;
  }
  const keyed = entries.filter((k) => k.startsWith('k:')).map((k) => ({ k, key: parseKey(k) }));
  if (keyed.length !== d.length) return `${fmt(path)} items added or removed`;
  for (let i = 0; i < d.length; i++) {
    const item = d[i];
    const match = keyed.find((e) => isMap(e.key) && keyMatches(item, e.key, false));
    if (!match || !isMap(match.key)) return `${fmt([...path, i])} added`;
    const liveItem = live.find((x) => keyMatches(x, match.key as Record<string, Json>, true));
    const why = compareNode(item, liveItem, fs[match.k], [...path, i]);
    if (why) return why;
  }
  return undefined;
}

/** The part of `obj` covered by `fs`: what a manager owns, with its current values. */
export function extractOwned(obj: Json, fs: FieldSet | undefined): Json {
  if (fs === undefined) return undefined;
  if (isLeaf(fs)) return obj;
  if (isMap(obj)) {
    const out: Record<string, Json> = {};
    for (const key of Object.keys(fs)) {
      if (!key.startsWith('f:')) continue;
      const field = key.slice(2);
      if (field in obj) out[field] = extractOwned(obj[field], fs[key]);
    }
    return out;
  }
  if (Array.isArray(obj)) {
    const out: Json[] = [];
    for (const item of obj) {
      for (const key of Object.keys(fs)) {
        if (key.startsWith('k:')) {
          const k = parseKey(key);
          if (isMap(k) && keyMatches(item, k, true)) out.push(extractOwned(item, fs[key]));
        } else if (key.startsWith('v:')) {
          if (JSON.stringify(parseKey(key)) === JSON.stringify(item)) out.push(item);
        }
      }
    }
    return out;
  }
  return obj;
}

/** Union of two field sets: what either manager state covers. */
export function mergeFieldSets(a: FieldSet | undefined, b: FieldSet | undefined): FieldSet | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: FieldSet = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = mergeFieldSets(a[k], v)!;
  return out;
}
