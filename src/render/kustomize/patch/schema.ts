import { K8S_SCHEMA } from './k8s-schema.js';

/** What strategic merge needs to know about one field of a built-in type. */
interface FieldInfo {
  r?: string;
  i?: string;
  s?: string;
  k?: string[];
  l?: boolean;
  m?: string;
}

interface SchemaData {
  gvks: Record<string, string>;
  defs: Record<string, Record<string, FieldInfo>>;
}

let data: SchemaData | undefined;
function schema(): SchemaData {
  data ??= JSON.parse(K8S_SCHEMA) as SchemaData;
  return data;
}

/** A position in the schema: a type definition, or a field (which may be a list). */
export type Schema = { def: string } | { field: FieldInfo };

export function schemaForType(apiVersion: string, kind: string): Schema | undefined {
  const def = schema().gvks[`${apiVersion} ${kind}`];
  return def ? { def } : undefined;
}

export function fieldSchema(s: Schema | undefined, key: string): Schema | undefined {
  if (!s) return undefined;
  let def: string | undefined;
  if ('def' in s) def = s.def;
  else if (s.field.r) def = s.field.r;
  else if (s.field.m) return { def: s.field.m };
  if (!def) return undefined;
  const f = schema().defs[def]?.[key];
  if (!f) return undefined;
  return { field: f };
}

export function elementSchema(s: Schema | undefined): Schema | undefined {
  if (!s || 'def' in s || !s.field.i) return undefined;
  return { def: s.field.i };
}

/** Patch strategy and merge keys of a list field, if the schema gives them. */
export function listStrategy(s: Schema | undefined): { merge: boolean; keys: string[] } | undefined {
  if (!s) return undefined;
  if ('def' in s) return { merge: false, keys: [] };
  const strategies = (s.field.s ?? '').split(',');
  return { merge: strategies.includes('merge'), keys: s.field.k ?? [] };
}
