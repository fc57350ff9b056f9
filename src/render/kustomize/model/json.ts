/**
 * Resources are held as plain JSON-shaped data. kustomize itself round-trips every resource
 * through JSON before printing it, so comments, anchors and original quoting never survive;
 * modelling that directly keeps the engine simple and fast.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Assigns even `__proto__` as an own property, as JSON.parse would. */
export function setKey(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

export function hasKey(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * Keys whose value was written as nothing (`key:`), per map. It reads as null like `key: null`,
 * but kustomize's strategic merge drops such a field where `null` and `~` stay.
 */
const emptyNulls = new WeakMap<JsonObject, Set<string>>();

export function markEmptyNull(obj: JsonObject, key: string): void {
  let keys = emptyNulls.get(obj);
  if (!keys) emptyNulls.set(obj, (keys = new Set()));
  keys.add(key);
}

/** True if `obj[key]` is null and was written as an empty value. */
export function isEmptyNull(obj: JsonObject, key: string): boolean {
  return obj[key] === null && emptyNulls.get(obj)?.has(key) === true;
}

export function deepCopy<T extends JsonValue>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => deepCopy(x)) as T;
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v)) setKey(out, k, deepCopy(v[k]!));
    const empty = emptyNulls.get(v);
    if (empty) emptyNulls.set(out, new Set(empty));
    return out as T;
  }
  return v;
}

export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => hasKey(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Value at a path of map keys, or undefined. */
export function getPath(v: JsonValue | undefined, path: readonly string[]): JsonValue | undefined {
  let cur = v;
  for (const p of path) {
    if (!isObject(cur) || !hasKey(cur, p)) return undefined;
    cur = cur[p];
  }
  return cur;
}

export function getString(v: JsonValue | undefined, path: readonly string[]): string {
  const r = getPath(v, path);
  return typeof r === 'string' ? r : r === undefined || r === null ? '' : typeof r === 'object' ? '' : String(r);
}

/** Walks (creating maps as needed) to the object at `path`. */
export function ensureObject(root: JsonObject, path: readonly string[]): JsonObject {
  let cur = root;
  for (const p of path) {
    const next = hasKey(cur, p) ? cur[p] : undefined;
    if (isObject(next)) {
      cur = next;
    } else {
      const created: JsonObject = {};
      setKey(cur, p, created);
      cur = created;
    }
  }
  return cur;
}
