import { RenderError } from '../../../errors/index.js';
import { deepCopy, deepEqual, isObject, setKey, type JsonObject, type JsonValue } from '../model/json.js';

/** RFC 6902 operations, as kustomize accepts them (YAML or JSON list). */
export interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: JsonValue;
}

export function parseJsonPatch(v: JsonValue, source: string): JsonPatchOp[] {
  if (!Array.isArray(v))
    throw new RenderError('KUSTOMIZE_PATCH', `${source}: a JSON patch must be a list of operations`, { file: source });
  return v.map((x, i) => {
    if (!isObject(x) || typeof x['op'] !== 'string') {
      throw new RenderError('KUSTOMIZE_PATCH', `${source}: operation ${i + 1} has no 'op'`, { file: source });
    }
    const op: JsonPatchOp = { op: x['op'], path: typeof x['path'] === 'string' ? x['path'] : '' };
    if (typeof x['from'] === 'string') op.from = x['from'];
    if (Object.prototype.hasOwnProperty.call(x, 'value')) op.value = x['value']!;
    return op;
  });
}

function tokens(pointer: string, source: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw new RenderError('KUSTOMIZE_PATCH', `${source}: invalid JSON pointer '${pointer}'`, { file: source });
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface Loc {
  parent: JsonObject | JsonValue[];
  key: string;
}

function locate(doc: JsonValue, pointer: string, source: string, op: string): Loc {
  const t = tokens(pointer, source);
  if (t.length === 0)
    throw new RenderError('KUSTOMIZE_PATCH', `${source}: ${op} at the document root is not supported`, {
      file: source,
    });
  let cur: JsonValue = doc;
  for (const tok of t.slice(0, -1)) {
    let next: JsonValue | undefined;
    if (Array.isArray(cur)) next = cur[arrayIndex(tok, cur.length, false, source, pointer, op)];
    else if (isObject(cur)) next = Object.prototype.hasOwnProperty.call(cur, tok) ? cur[tok] : undefined;
    if (next === undefined || next === null || typeof next !== 'object') throw missing(op, pointer, source);
    cur = next;
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw missing(op, pointer, source);
  return { parent: cur, key: t[t.length - 1]! };
}

function arrayIndex(tok: string, len: number, allowEnd: boolean, source: string, pointer: string, op: string): number {
  if (tok === '-' && allowEnd) return len;
  if (!/^(0|[1-9][0-9]*)$/.test(tok)) throw missing(op, pointer, source);
  const i = Number(tok);
  if (i > len || (!allowEnd && i >= len)) {
    throw new RenderError(
      'KUSTOMIZE_PATCH',
      `${source}: ${op} operation does not apply: index ${i} out of bounds at ${pointer}`,
      { file: source },
    );
  }
  return i;
}

function missing(op: string, pointer: string, source: string): RenderError {
  return new RenderError(
    'KUSTOMIZE_PATCH',
    `${source}: ${op} operation does not apply: doc is missing path: "${pointer}"`,
    {
      file: source,
      hint: 'The JSON patch points at a field the target does not have; check the path and the target selector.',
    },
  );
}

function get(doc: JsonValue, pointer: string, source: string, op: string): JsonValue {
  let cur: JsonValue = doc;
  for (const tok of tokens(pointer, source)) {
    let next: JsonValue | undefined;
    if (Array.isArray(cur)) next = /^(0|[1-9][0-9]*)$/.test(tok) ? cur[Number(tok)] : undefined;
    else if (isObject(cur)) next = Object.prototype.hasOwnProperty.call(cur, tok) ? cur[tok] : undefined;
    if (next === undefined) throw missing(op, pointer, source);
    cur = next;
  }
  return cur;
}

function add(doc: JsonValue, pointer: string, value: JsonValue, source: string, op: string): void {
  const { parent, key } = locate(doc, pointer, source, op);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true, source, pointer, op), 0, value);
  else setKey(parent, key, value);
}

function remove(doc: JsonValue, pointer: string, source: string, op: string): JsonValue {
  const { parent, key } = locate(doc, pointer, source, op);
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length, false, source, pointer, op);
    return parent.splice(i, 1)[0]!;
  }
  if (!Object.prototype.hasOwnProperty.call(parent, key)) throw missing(op, pointer, source);
  const v = parent[key]!;
  delete parent[key];
  return v;
}

/**
 * Applies the operations to `doc` in place (the whole document may be replaced). `around` is
 * told of each operation before it runs, and the function it returns once it has.
 */
export function applyJsonPatch(
  doc: JsonObject,
  ops: JsonPatchOp[],
  source: string,
  around?: (i: number) => () => void,
): JsonObject {
  for (const [i, o] of ops.entries()) {
    const done = around?.(i);
    switch (o.op) {
      case 'add':
        add(doc, o.path, deepCopy(o.value ?? null), source, 'add');
        break;
      case 'remove':
        remove(doc, o.path, source, 'remove');
        break;
      case 'replace': {
        const { parent, key } = locate(doc, o.path, source, 'replace');
        if (Array.isArray(parent))
          parent[arrayIndex(key, parent.length, false, source, o.path, 'replace')] = deepCopy(o.value ?? null);
        // kustomize's JSON patch library adds a missing last key of an existing map on replace.
        else setKey(parent, key, deepCopy(o.value ?? null));
        break;
      }
      case 'move': {
        const v = remove(doc, o.from ?? '', source, 'move');
        add(doc, o.path, v, source, 'move');
        break;
      }
      case 'copy':
        add(doc, o.path, deepCopy(get(doc, o.from ?? '', source, 'copy')), source, 'copy');
        break;
      case 'test':
        if (!deepEqual(get(doc, o.path, source, 'test'), o.value ?? null)) {
          throw new RenderError('KUSTOMIZE_PATCH', `${source}: testing value ${o.path} failed`, { file: source });
        }
        break;
      default:
        throw new RenderError('KUSTOMIZE_PATCH', `${source}: unexpected kind of JSON patch operation '${o.op}'`, {
          file: source,
        });
    }
    done?.();
  }
  return doc;
}
