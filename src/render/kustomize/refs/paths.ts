import { deepCopy, isObject, setKey, type JsonObject, type JsonValue } from '../model/json.js';

/** Splits `a.b.[name=x.y].c` on dots outside brackets, as kyaml's SmarterPathSplitter does. */
export function splitDotted(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const c of path) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * kyaml's SmarterPathSplitter, used for replacement field paths: a leading `.` is dropped,
 * `\.` escapes a dot, a bracketed part spanning dots stays whole, and keeps its brackets only
 * when it matches a list element (`[name=x.y]`); `[cert-manager.io/inject-ca-from]` names a key.
 */
export function splitFieldPath(path: string): string[] {
  let ps = path.split('.');
  if (ps.length > 1 && ps[0] === '') ps = ps.slice(1);
  const split: string[] = [ps[0]!];
  for (const p of ps.slice(1)) {
    const last = split.length - 1;
    if (split[last]!.endsWith('\\')) split[last] = `${split[last]!.slice(0, -1)}.${p}`;
    else split.push(p);
  }
  const out: string[] = [];
  for (let i = 0; i < split.length; i++) {
    const elem = split[i]!;
    if (!(elem.startsWith('[') && !elem.endsWith(']'))) {
      out.push(elem);
      continue;
    }
    const bracketed = [elem];
    while (i < split.length - 1) {
      i++;
      bracketed.push(split[i]!);
      if (split[i]!.endsWith(']')) break;
    }
    const joined = bracketed.join('.');
    out.push(joined.includes('=') ? joined : joined.replace(/^\[+|\]+$/g, ''));
  }
  return out;
}

export interface Place {
  get(): JsonValue;
  set(v: JsonValue): void;
  /** Keys and indexes from the root to here. */
  at?: (string | number)[];
}

function text(v: JsonValue | undefined): string {
  return v === undefined || v === null || typeof v === 'object' ? '' : String(v);
}

/**
 * Every place matching `parts` (field names, `[key=value]` list matches, numeric indexes,
 * `*` for all elements). With `create`, missing fields and matched list elements are made.
 */
export function findPlaces(root: Place, parts: string[], create: 'map' | 'seq' | 'scalar' | undefined): Place[] {
  let places: Place[] = [root];
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    const next: Place[] = [];
    for (const p of places) {
      const v = p.get();
      const bracket = /^\[(.*?)=(.*)\]$/.exec(part);
      if (bracket) {
        let list = v;
        if ((list === undefined || list === null) && create) {
          list = [];
          p.set(list);
        }
        if (!Array.isArray(list)) continue;
        const arr = list;
        const [, k, val] = bracket;
        let hits = 0;
        arr.forEach((e, j) => {
          const match = k === '' ? text(e) === val : isObject(e) && text(e[k!]) === val;
          if (match) {
            hits++;
            next.push({ get: () => arr[j]!, set: (x) => void (arr[j] = x), at: [...(p.at ?? []), j] });
          }
        });
        if (hits === 0 && create && k !== '') {
          const el: JsonObject = {};
          setKey(el, k!, val!);
          arr.push(el);
          const j = arr.length - 1;
          next.push({ get: () => arr[j]!, set: (x) => void (arr[j] = x), at: [...(p.at ?? []), j] });
        }
        continue;
      }
      if (part === '*' && Array.isArray(v)) {
        v.forEach((_, j) => next.push({ get: () => v[j]!, set: (x) => void (v[j] = x), at: [...(p.at ?? []), j] }));
        continue;
      }
      if (Array.isArray(v) && /^(0|[1-9][0-9]*)$/.test(part)) {
        const j = Number(part);
        if (j < v.length) next.push({ get: () => v[j]!, set: (x) => void (v[j] = x), at: [...(p.at ?? []), j] });
        continue;
      }
      let obj = v;
      if ((obj === undefined || obj === null) && create) {
        obj = {};
        p.set(obj);
      }
      if (!isObject(obj)) continue;
      const o = obj;
      if (!Object.prototype.hasOwnProperty.call(o, part)) {
        if (!create) continue;
        setKey(
          o,
          part,
          last ? (create === 'map' ? {} : create === 'seq' ? [] : null) : /^\[/.test(parts[i + 1] ?? '') ? [] : {},
        );
      }
      next.push({ get: () => o[part]!, set: (x) => setKey(o, part, x), at: [...(p.at ?? []), part] });
    }
    places = next;
  });
  return places;
}

export function lookupValue(root: JsonValue, parts: string[]): JsonValue | undefined {
  const places = findPlaces({ get: () => root, set: () => undefined }, parts, undefined);
  return places.length > 0 ? places[0]!.get() : undefined;
}

export function copyOf(v: JsonValue): JsonValue {
  return deepCopy(v);
}
