import { K8S_SCHEMA } from './k8s-schema.js';

/** What strategic merge needs to know about one field of a type. */
export interface FieldInfo {
  r?: string;
  i?: string;
  s?: string;
  k?: string[];
  l?: boolean;
  m?: string;
}

/** Type definitions by `apiVersion kind`, and the fields of each definition. */
export interface SchemaData {
  gvks: Record<string, string>;
  defs: Record<string, Record<string, FieldInfo>>;
}

let builtin: SchemaData | undefined;
export function builtinSchema(): SchemaData {
  builtin ??= JSON.parse(K8S_SCHEMA) as SchemaData;
  return builtin;
}

/** A position in the schema: a type definition, or a field (which may be a list). */
export type Schema = { data: SchemaData; def: string } | { data: SchemaData; field: FieldInfo };

export function schemaForType(
  apiVersion: string,
  kind: string,
  data: SchemaData = builtinSchema(),
): Schema | undefined {
  const def = data.gvks[`${apiVersion} ${kind}`];
  return def ? { data, def } : undefined;
}

export function fieldSchema(s: Schema | undefined, key: string): Schema | undefined {
  if (!s) return undefined;
  let def: string | undefined;
  if ('def' in s) def = s.def;
  else if (s.field.r) def = s.field.r;
  else if (s.field.m) return { data: s.data, def: s.field.m };
  if (!def) return undefined;
  const f = s.data.defs[def]?.[key];
  if (!f) return undefined;
  return { data: s.data, field: f };
}

export function elementSchema(s: Schema | undefined): Schema | undefined {
  if (!s || 'def' in s || !s.field.i) return undefined;
  return { data: s.data, def: s.field.i };
}

/** Patch strategy and merge keys of a list field, if the schema gives them. */
export function listStrategy(s: Schema | undefined): { merge: boolean; keys: string[] } | undefined {
  if (!s) return undefined;
  if ('def' in s) return { merge: false, keys: [] };
  const strategies = (s.field.s ?? '').split(',');
  return { merge: strategies.includes('merge'), keys: s.field.k ?? [] };
}
