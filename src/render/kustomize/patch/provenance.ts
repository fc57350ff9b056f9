import { isObject, type JsonValue } from '../model/json.js';
import type { FieldPath, FieldSource, YamlLines } from '../resource/provenance.js';
import type { Resource } from '../resource/resource.js';
import type { JsonPatchOp } from './json6902.js';
import { elementSchema, fieldSchema, listStrategy, type Schema } from './schema.js';

/**
 * Notes on `r` every field a strategic merge patch wrote, at the patch's own line. The patch
 * and the merged resource are walked side by side: maps by key, lists merged by key (containers
 * by name) by finding the merged element the patch element became, wherever it now sits.
 */
export function noteMergePatch(r: Resource, patch: Resource, schema: Schema | undefined): void {
  const lines = patch.lines;
  const docLine = patch.source?.line;
  const file = patch.source?.file;
  if (!lines || docLine === undefined || file === undefined) return;
  const source = (at: FieldPath): FieldSource => lines.source(file, docLine, at);
  walk(r, patch.obj, r.obj, schema, [], [], source);
}

function walk(
  r: Resource,
  p: JsonValue | undefined,
  out: JsonValue | undefined,
  s: Schema | undefined,
  pAt: (string | number)[],
  at: (string | number)[],
  source: (at: FieldPath) => FieldSource,
): void {
  if (out === undefined || p === undefined || p === null) return;
  if (isObject(p)) {
    if (!isObject(out)) return;
    if (p['$patch'] === 'replace' && at.length > 0) r.provenance.note(at, source(pAt), out);
    for (const k of Object.keys(p)) {
      if (k.startsWith('$') || !Object.prototype.hasOwnProperty.call(out, k)) continue;
      walk(r, p[k], out[k], fieldSchema(s, k), [...pAt, k], [...at, k], source);
    }
    return;
  }
  if (Array.isArray(p)) {
    if (!Array.isArray(out)) return;
    const strat = listStrategy(s);
    const es = elementSchema(s);
    if (!strat?.merge) {
      // A list the patch replaces as a whole: its elements are the patch's, in its order.
      r.provenance.note(at, source(pAt), out);
      p.forEach((e, i) => walk(r, e, out[i], es, [...pAt, i], [...at, i], source));
      return;
    }
    p.forEach((e, i) => {
      const j = strat.keys.length > 0 ? keyedIndex(out, e, strat.keys) : primitiveIndex(out, e);
      if (j < 0) return;
      if (strat.keys.length === 0) r.provenance.note([...at, j], source([...pAt, i]));
      else walk(r, e, out[j], es, [...pAt, i], [...at, j], source);
    });
    return;
  }
  r.provenance.note(at, source(pAt));
}

function text(v: JsonValue | undefined): string {
  return v === undefined || v === null || typeof v === 'object' ? '' : String(v);
}

function keyedIndex(list: JsonValue[], e: JsonValue, keys: string[]): number {
  if (!isObject(e)) return -1;
  const given = keys.filter((k) => Object.prototype.hasOwnProperty.call(e, k));
  if (given.length === 0) return -1;
  return list.findIndex((x) => isObject(x) && given.every((k) => text(x[k]) === text(e[k])));
}

function primitiveIndex(list: JsonValue[], e: JsonValue): number {
  if (e === null || typeof e === 'object') return -1;
  return list.findIndex((x) => text(x) === text(e));
}

/**
 * Notes the field one JSON 6902 operation wrote (after it ran, so an index or `-` is
 * resolved against the list it went into), at the line of the operation's value.
 */
export function noteJsonOp(
  r: Resource,
  op: JsonPatchOp,
  i: number,
  patch: { lines: YamlLines; line: number; source: string },
): void {
  if (op.op !== 'add' && op.op !== 'replace' && op.op !== 'copy' && op.op !== 'move') return;
  const at: (string | number)[] = [];
  let node: JsonValue | undefined = r.obj;
  const tokens = op.path === '' ? [] : op.path.slice(1).split('/');
  for (const raw of tokens) {
    const t = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const last: number = node.length - 1;
      const j: number = t === '-' ? last : Number(t);
      if (!Number.isInteger(j) || j < 0 || j > last) return;
      at.push(j);
      node = node[j];
    } else if (isObject(node)) {
      at.push(t);
      node = node[t];
    } else return;
  }
  if (at.length === 0) return;
  const field = op.op === 'add' || op.op === 'replace' ? 'value' : 'from';
  r.provenance.note(at, patch.lines.source(patch.source, patch.line, [i, field]), node);
}
